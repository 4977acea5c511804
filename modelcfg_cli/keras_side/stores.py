"""Weight stores that Keras's own saving code (`saving_lib._load_state` / `_save_state`) accepts.

`SourceStore` reads a `.keras` weights file the way `load_model` does and remembers which tensors were
read, so that every stored tensor can be accounted for. `LayoutStore` records what a built layer would
save (its attribute paths, keys, shapes and dtypes) without writing anything. `ArrayStore` serves
arrays from a dict, to load a layer whose tensors were matched one by one. The classes subclass Keras's
`H5IOStore` (Keras checks the type), so they are made on first use, after Keras is imported.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from modelcfg_cli.document import WEIGHTS_FILE
from modelcfg_cli.weights.shards import merged_view, sharded_index

IN_MEMORY_BYTES = 64 * 1024 * 1024


@functools.cache
def store_classes():
    """(SourceStore, LayoutStore, ArrayStore), defined once Keras is importable."""
    from keras.src import backend
    from keras.src.saving.saving_lib import H5IOStore

    return _source_store(H5IOStore), _layout_store(H5IOStore, backend), _array_store(H5IOStore)


def _source_store(H5IOStore: Any) -> Any:
    class SourceStore(H5IOStore):
        """An `H5IOStore` over a source's weights that records every (entry path, key) read."""

        _h5_entry_group: Any  # set by Keras's `get`

        def __init__(self, path_or_io, archive=None, on_close=None):
            super().__init__(path_or_io, archive=archive, mode="r")
            self.read: set[tuple[str, str]] = set()
            self.on_close = on_close
            self.shards: dict[str, Any] = {}

        def close(self):
            super().close()
            for shard in self.shards.values():
                shard.close()
            self.shards.clear()
            if self.on_close is not None:
                self.on_close()
                self.on_close = None

        def __getitem__(self, key):
            self.read.add((self._h5_entry_path, key))
            group: Any = getattr(self, "_h5_entry_group", None)
            dataset = group.get(key) if hasattr(group, "get") else None
            if dataset is None or not getattr(dataset, "is_virtual", False):
                return super().__getitem__(key)
            # a merged view of shards: Keras reads the shard's own dataset, with its own checks
            _, filename, name, _ = dataset.virtual_sources()[0]
            if filename not in self.shards:
                self.shards[filename] = self._get_h5_file(filename, mode="r")
            self._h5_entry_group = self.shards[filename][name.rpartition("/")[0]]
            try:
                return super().__getitem__(name.rpartition("/")[2])
            finally:
                self._h5_entry_group = group

    return SourceStore


def _layout_store(H5IOStore: Any, backend: Any) -> Any:
    class LayoutStore(H5IOStore):
        """Write-mode stand-in: `{entry path: {key: value}}` of what `save_own_variables` hands over."""

        def __init__(self):  # no file: nothing is written
            self.mode = "w"
            self.entries: dict[str, dict[str, Any]] = {}
            self._h5_entry_path = ""

        def __bool__(self):
            return True

        def make(self, path, metadata=None):
            self._h5_entry_path = path
            return self

        def __setitem__(self, key, value):
            self.entries.setdefault(self._h5_entry_path, {})[key] = value

        def shapes(self) -> dict[tuple[str, str], tuple[tuple, str]]:
            """{(entry path, key): (shape, dtype)} of every recorded value."""
            return {
                (path, key): (tuple(value.shape), backend.standardize_dtype(value.dtype))
                for path, values in self.entries.items()
                for key, value in values.items()
            }

    return LayoutStore


def _array_store(H5IOStore: Any) -> Any:
    class ArrayStore(H5IOStore):
        """Read-mode store over `{entry path: {key: array}}`."""

        def __init__(self, entries: dict[str, dict[str, Any]]):
            self.mode = "r"
            self.entries = entries
            self._h5_entry_path = ""
            self._h5_entry_group: dict[str, Any] = {}

        def __bool__(self):
            return True

        def get(self, path):
            self._h5_entry_path = path
            self._h5_entry_group = self.entries.get(path, {})
            return self

        def has_path(self, path):
            return path in self.entries

        def __getitem__(self, key):
            return self._h5_entry_group[key]

    return ArrayStore


def open_source_store(source: str | bytes):
    """A `SourceStore` over the weights of a `.keras` zip (path or bytes) or model folder; None when the
    source holds no `model.weights.h5`. Sharded weights (`model.weights.json`) are read through one merged
    view of their shards. A zip member up to 64 MiB is read into memory once (h5py seeking through a zip
    stream costs seconds on a model of a few hundred layers); a larger one is copied to a temporary file."""
    source_store = store_classes()[0]
    index = None if isinstance(source, bytes) else sharded_index(source)
    if index is not None:
        return _sharded_store(source_store, index)
    if not isinstance(source, bytes) and Path(source).is_dir():
        weights = Path(source) / WEIGHTS_FILE
        return source_store(weights) if weights.is_file() else None
    if isinstance(source, bytes):
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            if WEIGHTS_FILE not in archive.namelist():
                return None
            return source_store(io.BytesIO(archive.read(WEIGHTS_FILE)))
    with zipfile.ZipFile(source) as archive:
        if WEIGHTS_FILE not in archive.namelist():
            return None
        if archive.getinfo(WEIGHTS_FILE).file_size <= IN_MEMORY_BYTES:
            return source_store(io.BytesIO(archive.read(WEIGHTS_FILE)))
    return _member_store(source_store, source)


def _sharded_store(source_store, index: Path):
    """A `SourceStore` over the merged view of the shards `index` names; closing it removes the view."""
    stack = contextlib.ExitStack()
    try:
        view = stack.enter_context(merged_view(index))
        return source_store(view, on_close=stack.close)
    except BaseException:
        stack.close()
        raise


def _member_store(source_store, source: str):
    """A `SourceStore` over a large zip member copied to a temporary file (removed on close): Keras's
    store opens a path or bytes in memory, and memory must stay flat."""
    handle, name = tempfile.mkstemp(suffix=".weights.h5", prefix="modelcfg-")
    try:
        with (
            os.fdopen(handle, "wb") as copy,
            zipfile.ZipFile(source) as archive,
            archive.open(WEIGHTS_FILE) as member,
        ):
            shutil.copyfileobj(member, copy, 16 * 1024 * 1024)
        return source_store(name, on_close=lambda: os.unlink(name))
    except BaseException:
        os.unlink(name)
        raise
