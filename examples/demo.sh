#!/usr/bin/env bash
# The tour a new user should see: every command on the bundled example models.
set -u
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {
  printf '\n\033[1m$ modelcfg %s\033[0m\n' "$*"
  modelcfg "$@"
  printf '(exit %s)\n' "$?"
}
say() { printf '\n\033[36m# %s\033[0m\n' "$*"; }

run --version

say "What is in a model, without loading it in Keras"
run inspect classifier.keras
run dump classifier.keras --layer predictions
run dump classifier.h5 --metadata

say "Is it well-formed? (exit 1 when not)"
run validate classifier.keras classifier.h5 tagger.keras
modelcfg dump classifier.keras --full | sed -e 's/"filters": 32/"filters": -3/' -e 's/"rate": 0.3/"rate": 1.5/' > "$tmp/broken.json"
run validate "$tmp/broken.json"
run validate --format github "$tmp/broken.json"

say "What in a model file runs code when it is loaded? (exit 1 when something does)"
run scan risky.keras tagger.keras classifier.h5
run validate risky.keras
run validate classifier.keras --policy policy.yaml

say "What changed between two versions? (exit 1 when they differ)"
run diff classifier.keras classifier.h5
run diff classifier.keras classifier_v2.json
run diff classifier.keras classifier_v2.json --ignore build_config --format markdown

say "A variant from rules: every LSTM wrapped in Bidirectional, every seed 1337, the embedding frozen"
run clone tagger.keras -o "$tmp/tagger_bi.keras" --rules rules.yaml
run inspect "$tmp/tagger_bi.keras"
run clone classifier.keras -o "$tmp/wide.keras" --dry-run --set layers.conv2.filters=64 --set model.name=classifier_wide

say "A Keras 2 .h5 brought to Keras 3, keeping every weight that still fits"
run dump legacy_keras2.h5 --upgrade --layer conv2d_1_input
run clone legacy_keras2.h5 -o "$tmp/modern.keras" --keep-weights --set layers.logits.units=5

say "Does the clone compute what the source computes? (exit 1 when not, 2 when not comparable)"
run clone classifier.keras -o "$tmp/frozen.keras" --keep-weights --rules freeze.yaml --check
run clone legacy_keras2.h5 -o "$tmp/same.keras" --keep-weights
run compare legacy_keras2.h5 "$tmp/same.keras"
run compare classifier.keras "$tmp/modern.keras"
