"""Helpers for end-to-end CLI tests (and hostile inputs shared by the fuzz tests)."""

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
    code = cli({args!r}, standalone_mode=False)
except SystemExit as exc:
    code = exc.code
leaked = sorted(m for m in sys.modules if m == "keras" or m.startswith(("keras.", "jax", "tensorflow")))
print("EXIT:" + str(code or 0))
print("LEAKED:" + ",".join(leaked))
"""


def run_without_keras(*args: str, exit_code: int = 0) -> str:
    """Run `modelcfg ARGS` in a fresh interpreter; assert it ended with `exit_code` and imported no
    Keras, jax or TensorFlow; return its stdout."""
    import subprocess
    import sys

    code = NO_KERAS_PROBE.format(args=[str(a) for a in args])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.endswith(f"EXIT:{exit_code}\nLEAKED:\n"), (out.stdout[-500:], out.stderr[-500:])
    return out.stdout


def assert_clean(result) -> None:
    """Whatever the input: a known exit code, no traceback, no internal error, one line when refused."""
    assert result.exit_code in (0, 1, 2), result.exit_code
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1


def billion_laughs(levels: int = 9) -> str:
    """A YAML alias bomb: 9**levels list items from a few hundred bytes."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"class_name: Sequential\nconfig: {{layers: [], bomb: *a{levels - 1}}}")
    return "\n".join(lines) + "\n"
