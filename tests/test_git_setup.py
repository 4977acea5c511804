"""`modelcfg git-setup` in a real git repository: `git diff` and `git log -p` of a model file show the
edited field; a second run changes nothing; errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, invoke

COMMAND = f"{sys.executable} -m modelcfg_cli textconv"


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    out = subprocess.run(
        ["git", "-C", str(repo), *identity, *args], capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.fixture()
def repo(tmp_path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    return folder


def save_edited(saved_models, target: Path) -> None:
    """The sequential model with dense_2 units 4 -> 6, saved by Keras as a new .keras file."""
    import keras

    model = keras.saving.load_model(saved_models["sequential"]["keras"])
    config = model.get_config()
    config["layers"][3]["config"]["units"] = 6
    keras.Sequential.from_config(config).save(target)


def test_git_diff_shows_the_edited_field(repo, saved_models):
    result = invoke("git-setup", "-C", str(repo), "--command", COMMAND)
    assert result.exit_code == 0, result.output
    model = repo / "model.keras"
    model.write_bytes(Path(saved_models["sequential"]["keras"]).read_bytes())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first model")
    save_edited(saved_models, model)
    git(repo, "commit", "-qam", "six classes")
    diff = git(repo, "diff", "HEAD~1", "HEAD").splitlines()
    assert "-  units = 4" in diff and "+  units = 6" in diff
    assert any(line.startswith("+  dense_2 [0] 8x6 float32 ") for line in diff)
    assert "Binary files" not in "\n".join(diff)
    log = git(repo, "log", "-p", "--format=%s").splitlines()
    assert "six classes" in log and "+  units = 6" in log


def test_second_run_changes_nothing_and_says_so(repo):
    (repo / ".gitattributes").write_text("*.png binary")
    first = invoke("git-setup", "-C", str(repo))
    assert first.exit_code == 0
    assert first.stdout.count("added") == 3 and "diff.modelcfg.textconv = 'modelcfg textconv'" in first.stdout
    assert (repo / ".gitattributes").read_text() == (
        "*.png binary\n*.keras diff=modelcfg\n*.h5 diff=modelcfg\n*.hdf5 diff=modelcfg\n"
    )
    assert git(repo, "config", "--local", "--get", "diff.modelcfg.cachetextconv").strip() == "true"
    second = invoke("git-setup", "-C", str(repo))
    assert second.exit_code == 0 and second.stdout.startswith("modelcfg: nothing to change")
    changed = invoke("git-setup", "-C", str(repo), "--command", "/venv/bin/modelcfg textconv")
    assert changed.stdout.strip() == (
        "modelcfg: git config --local diff.modelcfg.textconv = '/venv/bin/modelcfg textconv' "
        "(was 'modelcfg textconv')"
    )


def test_global_writes_the_users_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    result = invoke("git-setup", "--global", "-C", str(tmp_path))
    assert result.exit_code == 0, result.output
    attributes = (tmp_path / "config" / "git" / "attributes").read_text().splitlines()
    assert attributes == ["*.keras diff=modelcfg", "*.h5 diff=modelcfg", "*.hdf5 diff=modelcfg"]
    assert "textconv = modelcfg textconv" in (tmp_path / ".gitconfig").read_text()


def test_not_a_repository_is_one_line_exit_2(tmp_path):
    assert_one_line_error(invoke("git-setup", "-C", str(tmp_path)), str(tmp_path), "not a git repository")


def test_git_missing_is_one_line_exit_2(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo))
    assert_one_line_error(invoke("git-setup", "-C", str(repo)), "git is not installed")
