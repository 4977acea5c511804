"""The fast paths never import Keras: proved in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from modelcfg_cli.cli import cli
try:
    cli({args!r}, standalone_mode=False)
except SystemExit:
    pass
leaked = sorted(m for m in sys.modules if m == "keras" or m.startswith(("keras.", "jax", "tensorflow")))
print("LEAKED:" + ",".join(leaked))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["dump", "{keras}"],
        ["dump", "{h5}"],
        ["inspect", "{keras}"],
        ["inspect", "{h5}"],
    ],
)
def test_command_does_not_import_keras(saved_models, args):
    args = [a.format(**saved_models["nested"]) for a in args]
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True
    )
    assert "LEAKED:\n" in out.stdout, out.stdout


def test_import_package_does_not_import_keras():
    code = "import sys, modelcfg_cli; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
