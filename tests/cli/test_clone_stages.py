"""Long work says what it is doing (issue 19): `clone` announces its stages, shown on stderr only when
stderr is a terminal (a status line that is gone when the work ends)."""

from __future__ import annotations

import io
import time

from modelcfg_cli.keras_side.clone import CloneRequest, run_clone
from modelcfg_cli.keras_side.stages import listening
from modelcfg_cli.output.progress import stage_status
from tests.helpers import invoke


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_clone_announces_its_stages_in_order(compare_files, tmp_path):
    heard: list[str] = []
    out = tmp_path / "clone.keras"
    request = CloneRequest(compare_files["two_heads"], str(out), keep_weights=True, check=True)
    with listening(heard.append):
        run = run_clone(request)
    assert run.check is not None and run.check.equal
    assert heard == [
        "importing Keras",
        "building the model",
        "carrying the weights",
        f"saving {out}",
        "checking the saved model",
        "comparing outputs (--check)",
    ]


def test_stages_show_on_a_terminal_only():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with stage_status("never", stream) as show:
            show("building the model")
            time.sleep(0.3)  # the status line refreshes a dozen times a second
    assert "building the model..." in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_a_piped_clone_keeps_stderr_free_of_stages(saved_models, tmp_path):
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "-o", tmp_path / "c.keras", "--keep-weights"
    )
    assert result.exit_code == 0 and result.stderr == ""
