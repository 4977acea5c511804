"""The fast paths never import Keras: proved in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import run_without_keras


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
    run_without_keras(*(a.format(**saved_models["nested"]) for a in args))


def test_import_package_does_not_import_keras():
    code = "import sys, modelcfg_cli; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_probe_checks_the_exit_code(tmp_path):
    """A command that fails early imports nothing heavy either: the probe must not count it as a pass."""
    missing = str(tmp_path / "missing.keras")
    with pytest.raises(AssertionError):
        run_without_keras("dump", missing)
    assert run_without_keras("dump", missing, exit_code=2).endswith("LEAKED:\n")
