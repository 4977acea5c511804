"""Click's usage errors are one line, `modelcfg: error: ...`, exit 2; `--help` still works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import assert_one_line_error, invoke

EXAMPLE = "examples/classifier.keras"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["dump", EXAMPLE, "--fromat", "json"], "no such option '--fromat' (did you mean '--format'?)"),
        (["dump"], "missing argument 'SOURCE'"),
        (["dump", EXAMPLE, "--format", "xml"], "invalid value for '--format': 'xml' is not one of"),
        (["dump", EXAMPLE, "--indent", "x"], "invalid value for '--indent': 'x' is not a valid integer"),
        (["dumb", EXAMPLE], "no such command 'dumb' (did you mean 'dump'?)"),
        (["--colour", "never", "dump", EXAMPLE], "no such option '--colour' (did you mean '--color'?)"),
    ],
)
def test_usage_errors_are_one_line(args, line):
    result = invoke(*args)
    assert_one_line_error(result, line)
    assert result.stderr.startswith("modelcfg: error: ")
    assert "Usage:" not in result.stderr and "Try " not in result.stderr


def test_usage_error_in_a_real_process_is_one_line():
    out = subprocess.run(
        [sys.executable, "-m", "modelcfg_cli", "validate", "--schema-dri", "x", EXAMPLE],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr == "modelcfg: error: no such option '--schema-dri' (did you mean '--schema-dir'?)\n"


def test_help_and_exit_codes_are_unchanged():
    assert invoke("--help").exit_code == 0
    result = invoke("dump", "--help")
    assert result.exit_code == 0 and "dump [OPTIONS] SOURCE" in result.stdout
    assert invoke("validate", EXAMPLE).exit_code == 0
    assert invoke("diff", EXAMPLE, "examples/classifier_v2.json").exit_code == 1
