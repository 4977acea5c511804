"""Sharded Keras weights (`model.weights.json` + `model_00000.weights.h5`, ...), read as one file.

Keras's `ShardedH5IOStore` (what keras-hub's `save_to_preset(max_shard_size=...)` uses) writes a JSON
index, `{"metadata": {"total_size": N}, "weight_map": {"/layers/dense/vars": "model_00000.weights.h5"
or [shard, ...]}}`, and shard files that each hold part of the usual `model.weights.h5` tree: one layer's
`vars` group may be split over several shards (its `name` attribute in one, its tensors in the next).

`merged_view(index)` writes a small HDF5 file beside nothing the user owns (a temporary file) whose tree
is the union of the shards: groups with their attributes, and every tensor a virtual dataset that reads
from its shard. Whatever reads `model.weights.h5` (h5py walks, Keras's own `H5IOStore`) reads it
unchanged, one tensor at a time, with no tensor copied. No Keras here.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from modelcfg_cli.document import SHARD_INDEX
from modelcfg_cli.errors import SourceError

SHARD_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.weights\.h5$")
MAX_INDEX_BYTES = 64 * 1024 * 1024


def sharded_index(path: str | os.PathLike) -> Path | None:
    """The shard index of `path`: the `model.weights.json` of a folder that stores sharded weights (and
    no `model.weights.h5`), or `path` itself when it is a `*.weights.json` file (given with `--weights`)."""
    path = Path(path)
    if path.is_dir():
        index = path / SHARD_INDEX
        return index if index.is_file() and not (path / "model.weights.h5").is_file() else None
    return path if path.name.endswith(".weights.json") and path.is_file() else None


def shard_files(index: str | os.PathLike) -> list[Path]:
    """The shard files `index` names, in order, once each is known to be a plain file beside it.
    A name that leaves the folder, or a shard that is missing, is a `SourceError`."""
    index = Path(index)
    weight_map = _weight_map(index)
    names: dict[str, None] = {}
    for value in weight_map.values():
        for name in value if isinstance(value, list) else [value]:
            if not isinstance(name, str) or not SHARD_NAME.match(name) or name in (".", ".."):
                raise SourceError(str(index), f"names a shard {name!r} that is not a file beside it")
            names[name] = None
    found = []
    for name in sorted(names):
        path = index.with_name(name)
        if path.is_symlink() or not path.is_file():
            raise SourceError(str(index), f"names the shard {name}, which is missing")
        found.append(path)
    return found


def _weight_map(index: Path) -> dict:
    try:
        if index.stat().st_size > MAX_INDEX_BYTES:
            raise SourceError(str(index), "the shard index is larger than 64 MiB")
        parsed = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SourceError(str(index), f"cannot read the shard index ({exc})") from exc
    weight_map = parsed.get("weight_map") if isinstance(parsed, dict) else None
    if not isinstance(weight_map, dict):
        raise SourceError(str(index), "is not a shard index (expected a 'weight_map' object)")
    return weight_map


@contextmanager
def merged_view(index: str | os.PathLike) -> Iterator[Path]:
    """A temporary HDF5 file that reads as the shards of `index` merged into one weights file."""
    shards = shard_files(index)
    handle, name = tempfile.mkstemp(suffix=".weights.h5", prefix="modelcfg-shards-")
    os.close(handle)
    path = Path(name)
    try:
        write_view(shards, path)
        yield path
    finally:
        path.unlink(missing_ok=True)


def write_view(shards: list[Path], out: Path) -> None:
    """Write into `out` the union of the shards' trees, tensors as virtual datasets."""
    import h5py

    with h5py.File(out, "w") as merged:
        for shard in shards:
            try:
                with h5py.File(shard, "r") as part:
                    _merge(h5py, part, merged, str(shard.resolve()))
            except OSError as exc:
                raise SourceError(str(shard), f"cannot read the weights shard ({exc})") from exc


def _merge(h5py, part, merged, source: str) -> None:
    merged.attrs.update(part.attrs)
    entries: list[tuple[str, Any]] = []
    part.visititems(lambda name, item: entries.append((name, item)))
    for name, item in entries:
        if isinstance(item, h5py.Dataset):
            _virtual(h5py, merged, name, item, source)
        else:
            merged.require_group(name).attrs.update(getattr(item, "attrs", {}))


def _virtual(h5py, merged, name: str, dataset, source: str) -> None:
    if name in merged:
        raise SourceError(source, f"holds {name}, which another shard holds too")
    if dataset.size == 0 or dataset.dtype.kind not in "biufc":  # nothing to read, or not a tensor
        merged.create_dataset(name, data=dataset[()], dtype=dataset.dtype)
    else:
        layout = h5py.VirtualLayout(shape=dataset.shape, dtype=dataset.dtype)
        layout[...] = h5py.VirtualSource(source, dataset.name, shape=dataset.shape)
        merged.create_virtual_dataset(name, layout)
    merged[name].attrs.update(dataset.attrs)
