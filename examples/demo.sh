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
