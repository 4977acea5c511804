"""The command group: version, help, colour rules, shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

from modelcfg_cli.output import use_color
from tests.helpers import invoke


class FakeTerminal:
    def isatty(self) -> bool:
        return True


def test_version_names_tool_and_keras():
    result = invoke("--version")
    assert result.exit_code == 0
    assert f"modelcfg {metadata.version('modelcfg')}" in result.stdout
    assert f"keras {metadata.version('keras')}" in result.stdout


def test_python_dash_m_runs_the_tool():
    out = subprocess.run([sys.executable, "-m", "modelcfg_cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "dump" in out.stdout and "inspect" in out.stdout


def test_unknown_option_is_a_usage_error():
    result = invoke("dump", "--no-such-option", "x")
    assert result.exit_code == 2 and "no such option" in result.stderr


def test_color_rules(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("auto", FakeTerminal()) is True
    assert use_color("never", FakeTerminal()) is False
    assert use_color("always", object()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", FakeTerminal()) is False


def test_color_always_highlights_dump(saved_models):
    plain = invoke("--color", "never", "dump", saved_models["sequential"]["keras"])
    colored = invoke("--color", "always", "dump", saved_models["sequential"]["keras"])
    assert "\x1b[" not in plain.stdout and "\x1b[" in colored.stdout


def test_bash_completion_script_and_candidates():
    env = {**os.environ, "_MODELCFG_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "modelcfg_cli"], env=env, capture_output=True, text=True)
    assert "_modelcfg_completion" in script.stdout
    env.update(_MODELCFG_COMPLETE="bash_complete", COMP_WORDS="modelcfg du", COMP_CWORD="1")
    words = subprocess.run([sys.executable, "-m", "modelcfg_cli"], env=env, capture_output=True, text=True)
    assert "dump" in words.stdout


def test_a_reader_that_closes_the_pipe_early_gets_no_noise_on_stderr(tmp_path):
    import json
    import subprocess
    import sys

    layers = [{"class_name": "Dense", "config": {"name": f"d{i}", "units": 4}} for i in range(20_000)]
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"class_name": "Sequential", "config": {"name": "big", "layers": layers}}))
    command = [sys.executable, "-m", "modelcfg_cli", "dump", str(big), "--indent", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b'{\n  "name"'
    process.stdout.close()  # like `| head -c 10`
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert stderr == ""
