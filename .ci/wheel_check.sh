#!/usr/bin/env bash
# Build the wheel, install it in a fresh venv (no backend), and check a model there: proves the
# schemas and the package ship inside the wheel and that checking needs no Keras backend.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" .
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/modelcfg-*.whl
cd "$work"
"$work/venv/bin/modelcfg" --version
"$work/venv/bin/modelcfg" validate "$OLDPWD/examples/classifier.keras"
"$work/venv/bin/modelcfg" schema --list > /dev/null
echo "wheel check: ok"
