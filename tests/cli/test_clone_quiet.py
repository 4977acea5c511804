"""Cloning prints our lines only: no `WARNING:absl: ... HDF5 ... legacy` from Keras on stderr; the
legacy format is noted once, in our words."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from modelcfg_cli.keras_side.quiet import H5_NOTE, NOISY_LOGGERS, quiet


def test_clone_to_h5_keeps_stderr_clean(tmp_path):
    out = tmp_path / "c.h5"
    env = {**os.environ, "KERAS_BACKEND": "numpy"}
    args = [sys.executable, "-m", "modelcfg_cli", "clone", "examples/classifier.keras", "-o", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count(H5_NOTE) == 1 and out.exists()


def test_quiet_restores_the_loggers():
    absl = logging.getLogger("absl")
    absl.setLevel(logging.INFO)
    with quiet():
        assert all(logging.getLogger(name).level == logging.ERROR for name in NOISY_LOGGERS)
    assert absl.level == logging.INFO
    absl.setLevel(logging.NOTSET)
