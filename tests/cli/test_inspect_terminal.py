"""`inspect` on a terminal fits its width (the config column cut with `…`, `--wide` for all of it);
piped output is unchanged; a model without a name says so."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests.helpers import invoke

EXAMPLE = "examples/classifier.keras"


def on_terminal(*args: str, columns: int = 80) -> list[str]:
    """`modelcfg ARGS` with stdout on a pseudo-terminal COLUMNS wide; the lines it printed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "modelcfg_cli", *args], stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait() == 0, process.stderr.read()
    return b"".join(chunks).decode().replace("\r\n", "\n").splitlines()


def test_the_table_fits_an_80_column_terminal():
    lines = on_terminal("inspect", EXAMPLE)
    assert lines[0].startswith("Functional 'classifier'")
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    conv1 = next(line for line in lines if line.startswith("conv1 "))
    assert "filters=16" in conv1 and "…" in conv1 and conv1.rstrip().endswith("float32")


def test_wide_shows_the_whole_config_on_a_terminal():
    lines = on_terminal("inspect", "--wide", EXAMPLE)
    conv1 = next(line for line in lines if line.startswith("conv1 "))
    assert "dilation_rate=(1,1) groups=1" in conv1 and "…" not in conv1


def test_piped_output_is_not_cut(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    result = invoke("inspect", EXAMPLE)
    assert "…" not in result.stdout
    assert "padding=same activation=relu dilation_rate=(1,1) groups=1" in result.stdout


def test_fit_keeps_short_tables_and_cuts_only_the_config_column():
    from modelcfg_cli.output.summary import COLUMNS, fit

    rows = [("a", "Dense", "", "units=10 activation=relu use_bias=True", "yes", "float32")]
    widths = [max(len(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    assert fit(rows, widths, 200) == (rows, widths)
    cut, new_widths = fit(rows, widths, 60)
    assert cut[0][3].endswith("…") and len(cut[0][3]) == new_widths[3]
    assert sum(new_widths) + 2 * 5 == 60 and cut[0][:3] == rows[0][:3] and cut[0][4:] == rows[0][4:]


def test_a_model_without_a_name(tmp_path):
    config = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Dense", "config": {"name": "d", "units": 2}}]},
    }
    path = tmp_path / "unnamed.json"
    path.write_text(json.dumps(config))
    result = invoke("inspect", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Sequential (unnamed)  ")
    assert "None" not in result.stdout.splitlines()[0]
