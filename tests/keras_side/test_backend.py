"""After a plain `pip install .` (no backend extra) `clone` says in one line what to install, and the
`backend` extra holds everything Keras's default (numpy) backend imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from modelcfg_cli.errors import CloneError, UsageError
from modelcfg_cli.keras_side import backend

BLOCK = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # as if not installed: find_spec gives None, import fails
sys.argv = ["modelcfg", *{args!r}]
from modelcfg_cli.cli import main
main()
"""


def run_without(blocked: set[str], *args: str, backend_env: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    if backend_env:
        env["KERAS_BACKEND"] = backend_env
    code = BLOCK.format(blocked=blocked, args=[str(a) for a in args])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def test_no_scipy_says_what_to_install(tmp_path):
    done = run_without({"scipy"}, "clone", "examples/classifier.keras", "-o", tmp_path / "c.keras")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("modelcfg: error: ") and 'pip install "modelcfg[backend]"' in done.stderr
    assert not (tmp_path / "c.keras").exists()


def test_scipy_missing_under_an_explicit_numpy_backend(tmp_path):
    done = run_without(
        {"scipy"}, "clone", "examples/classifier.keras", "-o", tmp_path / "c.keras", backend_env="numpy"
    )
    assert done.returncode == 2
    assert "backend 'numpy' needs scipy, not installed" in done.stderr
    assert 'pip install "modelcfg[backend]"' in done.stderr and done.stderr.count("\n") == 1


def test_a_failing_keras_import_names_the_extra(monkeypatch):
    def broken(name, *args):
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    monkeypatch.setattr(backend.importlib, "import_module", broken)
    with pytest.raises(
        CloneError, match=r"No module named 'scipy'; install it: pip install \"modelcfg\[backend\]\""
    ):
        backend.import_keras("numpy")


def test_no_backend_at_all(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setattr(backend, "_active_backend", lambda: None)
    monkeypatch.setattr(backend, "available", lambda name: False)
    with pytest.raises(CloneError, match=r"no Keras backend is installed .*modelcfg\[backend\]"):
        backend.choose_backend()
    monkeypatch.setattr(backend.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match="needs jax and scipy"):
        backend.choose_backend("numpy")


def test_the_backend_extra_holds_what_the_numpy_backend_imports():
    extra = tomllib.loads(Path("pyproject.toml").read_text())["project"]["optional-dependencies"]["backend"]
    names = {requirement.split(">")[0].split("=")[0].strip() for requirement in extra}
    assert set(backend.NEEDS["numpy"]) <= names
    import keras

    numpy_backend = Path(keras.__file__).parent / "src" / "backend" / "numpy"
    source = "".join(path.read_text() for path in numpy_backend.glob("*.py"))
    for module in ("jax", "scipy"):
        assert f"import {module}" in source or f"from {module}" in source


def test_compare_without_a_backend_names_compare(tmp_path):
    model = "examples/classifier.keras"
    done = run_without({"scipy", "jax"}, "compare", model, model)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("modelcfg: error: compare: no Keras backend is installed"), done.stderr
    assert "clone" not in done.stderr
