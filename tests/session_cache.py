"""Session fixtures built once for all pytest-xdist workers and later runs: kept in the pytest cache,
keyed by the Keras version, the backend and a hash of the code that builds them, built under a file lock
by whichever worker comes first; every worker then works on its own copy."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

INDEX = "index.json"
MARK = "<built>/"  # how index.json marks a path inside the built folder
HERE = Path(__file__).resolve().parent


def cache_key(*code_files: str) -> str:
    """Keras version, backend and a hash of the builder modules (any edit there rebuilds)."""
    digest = hashlib.sha256()
    for name in code_files:
        digest.update((HERE / name).read_bytes())
    backend = os.environ.get("KERAS_BACKEND", "")
    return f"keras{version('keras')}-{backend}-{digest.hexdigest()[:16]}"


def built_once(request, tmp_path_factory, name: str, code_files: tuple[str, ...], build: Callable) -> dict:
    """`build(folder)` returns a JSON-able dict whose strings may be paths inside `folder`; run it once per
    cache key, then return the same dict with the paths pointing into a fresh copy for this worker."""
    target = tmp_path_factory.mktemp(name)
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        return build(target)
    root = cache.mkdir("modelcfg_built")
    store = root / f"{name}-{cache_key(*code_files)}"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (store / INDEX).is_file():
            _build_into(store, name, build)
    shutil.copytree(store, target, dirs_exist_ok=True)
    return _rebased(json.loads((target / INDEX).read_text()), str(target))


def _build_into(store: Path, name: str, build: Callable) -> None:
    partial = store.with_name(store.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    index = _rebased(build(partial), "", old=str(partial))
    (partial / INDEX).write_text(json.dumps(index))
    for stale in store.parent.glob(f"{name}-*"):
        if stale.is_dir() and stale != partial:
            shutil.rmtree(stale)  # older Keras or builder code
    partial.rename(store)


def _rebased(value: object, new: str, old: str = "") -> object:
    """Paths under `old` marked as relative (`new` empty), or marked paths put under `new`."""
    if isinstance(value, dict):
        return {key: _rebased(item, new, old) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebased(item, new, old) for item in value]
    if isinstance(value, str):
        if old and (value == old or value.startswith(old + os.sep)):
            return MARK + os.path.relpath(value, old)
        if not old and value.startswith(MARK):
            return os.path.join(new, value[len(MARK) :])
    return value
