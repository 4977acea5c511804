"""The README's CI examples work as written: the GitHub Actions validate step runs (with the runner's
bash options) on a tree of top-level and nested models, and the pre-commit hooks agree with what they
say they check."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples"


def yaml_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", README, re.M | re.S)


def validate_step() -> str:
    """The `run:` of the workflow step that validates the models."""
    workflow = next(block for block in yaml_blocks() if ".github/workflows/" in block)
    steps = yaml.safe_load(workflow)["jobs"]["modelcfg"]["steps"]
    return next(step["run"] for step in steps if "modelcfg validate" in step.get("run", ""))


def run_step(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """As GitHub's runner does: `bash --noprofile --norc -eo pipefail`, modelcfg on PATH."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def broken_copy(source: Path, target: Path) -> None:
    """`source` (a .keras zip) with conv2's filters set to -3."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                data = json.dumps(json.loads(data)).replace('"filters": 32', '"filters": -3').encode()
            zout.writestr(item, data)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "models" / "v2").mkdir(parents=True)
    shutil.copy(EXAMPLES / "classifier.keras", tmp_path / "models" / "classifier.keras")
    return tmp_path


def test_top_level_models_alone_are_validated(repo):
    done = run_step(validate_step(), repo)
    assert done.returncode == 0, done.stderr
    assert "1 file checked: 1 valid" in done.stdout + done.stderr


def test_top_level_and_nested_models_are_all_validated(repo):
    shutil.copy(EXAMPLES / "tagger.keras", repo / "models" / "v2" / "tagger.keras")
    done = run_step(validate_step(), repo)
    assert done.returncode == 0, done.stderr
    assert "2 files checked: 2 valid" in done.stdout + done.stderr


def test_a_broken_nested_model_fails_the_step_with_an_annotation(repo):
    broken_copy(EXAMPLES / "classifier.keras", repo / "models" / "v2" / "broken.keras")
    done = run_step(validate_step(), repo)
    assert done.returncode != 0
    assert "::error file=models/v2/broken.keras" in done.stdout
    assert "2 files checked: 1 valid, 1 invalid" in done.stdout + done.stderr


def test_no_models_is_no_failure(tmp_path):
    (tmp_path / "models").mkdir()
    assert run_step(validate_step(), tmp_path).returncode == 0


HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


@pytest.mark.parametrize("hook", HOOKS, ids=[hook["id"] for hook in HOOKS])
def test_each_hook_checks_the_files_its_description_names(hook):
    pattern = re.compile(hook["files"])
    described = set(re.findall(r"\.(?:keras|h5|hdf5|json|yaml)\b", hook.get("description", "")))
    inherited = hook["id"] != "modelcfg-validate" and "As modelcfg-validate" in hook.get("description", "")
    if not inherited:
        assert described, hook
        assert all(pattern.search(f"models/m{suffix}") for suffix in described), hook
    for suffix in (".keras", ".h5", ".hdf5", ".json"):
        if pattern.search(f"models/m{suffix}"):
            assert inherited or suffix in described, (suffix, hook)


def test_the_readme_pre_commit_example_is_runnable_as_written(repo):
    config = next(block for block in yaml_blocks() if "repos:" in block)
    hook_ids = {hook["id"] for repo_entry in yaml.safe_load(config)["repos"] for hook in repo_entry["hooks"]}
    assert hook_ids <= {hook["id"] for hook in HOOKS}
    assert "rev: v0.1.0" not in README
    assert "pre-commit try-repo /path/to/modelcfg modelcfg-validate --files" in README
    hook = next(hook for hook in HOOKS if hook["id"] == "modelcfg-validate")
    (repo / "package.json").write_text("{}")
    files = sorted(
        str(path.relative_to(repo)) for path in repo.rglob("*") if re.search(hook["files"], str(path))
    )
    assert files == ["models/classifier.keras"]
    done = run_step(" ".join([hook["entry"], *files]), repo)
    assert done.returncode == 0, done.stderr
