"""Helpers for end-to-end CLI tests."""

from __future__ import annotations

from click.testing import CliRunner

from modelcfg_cli.cli import cli


def invoke(*args: str, input: str | bytes | None = None):
    """Run `modelcfg ARGS` in-process; the result has exit_code, stdout and stderr."""
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def assert_one_line_error(result, *fragments: str) -> None:
    """Exit 2, one line on stderr containing every fragment, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


NO_KERAS_PROBE = """
import sys
from modelcfg_cli.cli import cli
try:
    cli({args!r}, standalone_mode=False)
except SystemExit:
    pass
leaked = sorted(m for m in sys.modules if m == "keras" or m.startswith(("keras.", "jax", "tensorflow")))
print("LEAKED:" + ",".join(leaked))
"""


def run_without_keras(*args: str) -> str:
    """Run `modelcfg ARGS` in a fresh interpreter, assert it imported no Keras/jax/TF, return stdout."""
    import subprocess
    import sys

    code = NO_KERAS_PROBE.format(args=[str(a) for a in args])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.endswith("LEAKED:\n"), out.stdout[-500:]
    return out.stdout
