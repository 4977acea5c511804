"""One convention everywhere (issue 19): `--color always` into a pipe never wraps lines, standard input is
`-` in every report and message, and a refused clone's report is on stdout like a successful one's."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import assert_one_line_error, invoke

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_color_always_into_a_pipe_keeps_lines_whole(saved_models):
    model = saved_models["mobilenet"]["keras"]
    plain = invoke("--color", "never", "inspect", model).stdout
    colored = invoke("--color", "always", "inspect", model).stdout
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == plain
    assert max(len(line) for line in plain.splitlines()) > 80  # long enough that wrapping would show


def test_standard_input_is_named_dash(saved_models):
    text = Path(saved_models["sequential"]["json"]).read_text()
    keras_file = saved_models["sequential"]["keras"]
    reports = [
        invoke("diff", "-", keras_file, input=text).stdout,
        invoke("validate", "-", input=text).stdout,
        invoke("scan", "-", input=text).stdout,
    ]
    assert reports[0].startswith(f"- and {keras_file} are equal"), reports[0]
    assert reports[1].startswith("-: valid") and reports[2].startswith("-: passed"), reports
    for command in ("dump", "validate", "inspect", "textconv"):
        result = invoke(command, "-", input='{"a": 1')
        assert_one_line_error(result, "modelcfg: error: -: invalid JSON")
        assert "<stdin>" not in result.stderr + result.stdout


def test_a_refused_clone_reports_on_stdout_and_fails_on_stderr(saved_models, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "-o", out, "--set", "layers.dense_2.units=0"
    )
    assert result.exit_code == 1 and not out.exists()
    assert "units: 4 -> 0" in result.stdout and "units must be an integer >= 1, got 0" in result.stdout
    assert result.stderr.splitlines() == [
        f"modelcfg: error: {saved_models['sequential']['keras']}: 1 problem(s) in the rewritten model; "
        "nothing written"
    ]
