#!/usr/bin/env bash
# The tour a new user should see: every command on the bundled example models.
set -u
cd "$(dirname "$0")"

run() {
  printf '\n\033[1m$ modelcfg %s\033[0m\n' "$*"
  modelcfg "$@"
  printf '(exit %s)\n' "$?"
}

run --version
run inspect classifier.keras
run dump classifier.keras --layer predictions
run dump classifier.h5 --metadata
run validate classifier.keras classifier.h5 tagger.keras
broken="${TMPDIR:-/tmp}/modelcfg-demo-broken.json"
modelcfg dump classifier.keras --full | sed -e 's/"filters": 32/"filters": -3/' -e 's/"rate": 0.3/"rate": 1.5/' > "$broken"
run validate "$broken"
run validate --format github "$broken"
run diff classifier.keras classifier.h5
run diff classifier.keras classifier_v2.json
run diff classifier.keras classifier_v2.json --ignore build_config --format markdown
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run clone tagger.keras -o "$tmp/tagger_bi.keras" --rules rules.yaml
run inspect "$tmp/tagger_bi.keras"
run dump legacy_keras2.h5 --upgrade --layer conv2d_1_input
run clone legacy_keras2.h5 -o "$tmp/modern.keras" --keep-weights --set layers.logits.units=5
run clone classifier.keras -o "$tmp/wide.keras" --dry-run --set layers.conv2.filters=64 --set model.name=classifier_wide
