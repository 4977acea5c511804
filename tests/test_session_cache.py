"""The suite's own machinery: session models built once for all xdist workers, Hypothesis derandomised."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from hypothesis import settings

from tests.session_cache import INDEX, built_once, cache_key

ROOT = Path(__file__).resolve().parent.parent


class FakeCache:
    def __init__(self, root: Path):
        self.root = root

    def mkdir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(exist_ok=True)
        return path


class Factory:
    """A stand-in for tmp_path_factory, one per simulated worker."""

    def __init__(self, root: Path):
        self.root, self.count = root, 0

    def mktemp(self, name: str) -> Path:
        self.count += 1
        path = self.root / f"{name}{self.count}"
        path.mkdir(parents=True)
        return path


def test_workers_build_once_and_each_gets_its_own_copy(tmp_path):
    request = SimpleNamespace(config=SimpleNamespace(cache=FakeCache(tmp_path / "cache")))
    (tmp_path / "cache").mkdir()
    builds = []

    def build(folder: Path) -> dict:
        builds.append(folder)
        time.sleep(0.2)  # long enough for the other workers to wait on the lock
        (folder / "m.keras").write_text("model")
        return {"m": {"keras": str(folder / "m.keras"), "expected": {"name": "m", "path": "dense/1"}}}

    results = [None] * 3

    def worker(index: int) -> None:
        factory = Factory(tmp_path / f"worker{index}")
        results[index] = built_once(request, factory, "models", ("models.py",), build)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    paths = [Path(result["m"]["keras"]) for result in results]
    assert len(set(paths)) == 3 and all(path.read_text() == "model" for path in paths)
    assert all(f"worker{i}" in str(paths[i]) for i in range(3))
    assert results[0]["m"]["expected"] == {"name": "m", "path": "dense/1"}


def test_session_models_come_from_the_cache(request, saved_models):
    key = cache_key("models.py", "conftest.py")
    store = Path(request.config.cache.mkdir("modelcfg_built")) / f"models-{key}"
    assert (store / INDEX).is_file()
    keras_file = Path(saved_models["sequential"]["keras"])
    assert keras_file.read_bytes() == (store / "sequential.keras").read_bytes()
    assert store not in keras_file.parents  # a worker's own copy: tests cannot spoil the cache


def test_the_key_names_keras_and_changes_with_the_builder_code():
    from importlib.metadata import version

    assert version("keras") in cache_key("models.py")
    assert cache_key("models.py") != cache_key("compare_models.py")


def test_make_test_replays_the_same_examples_and_make_fuzz_explores():
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize
    makefile = (ROOT / "Makefile").read_text()
    assert "HYPOTHESIS_PROFILE=fuzz" in makefile and "\nfuzz:" in makefile
    assert not settings.get_profile("fuzz").derandomize
