"""A TensorFlow.js `weightsManifest`: weight groups, each a list of shard files (`paths`) whose bytes,
concatenated in order, hold the group's weights one after the other (`name`, `shape`, `dtype`, and an
optional `quantization`: `uint8`/`uint16` with `scale` and `min`, or `float16`).

Parsing checks what can be checked without reading the weights: known dtypes, whole shapes, shard paths
inside the model's folder, every shard present, and the shards' sizes adding up to what the manifest's
weights take. Shards are files of a folder (`FolderShards`) or members of a zip (`ZipShards`: Teachable
Machine's download is a zip of `model.json`, `metadata.json` and `weights.bin`).
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from modelcfg_cli.errors import SourceError

DTYPES = {"float32": "<f4", "int32": "<i4", "bool": "|b1"}
QUANTIZED = {"uint8": "<u1", "uint16": "<u2", "float16": "<f2"}


@dataclass(frozen=True)
class ManifestWeight:
    """One weight of a group: its name, shape and dtype, how it is stored (`stored`: a numpy dtype), and
    the affine dequantization (`scale`, `minimum`) of a uint8/uint16 weight."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    stored: str
    scale: float | None = None
    minimum: float | None = None

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * int(self.stored[2:])


@dataclass(frozen=True)
class WeightGroup:
    """One manifest entry: its shards (paths relative to the model.json) and its weights in order."""

    paths: tuple[str, ...]
    weights: tuple[ManifestWeight, ...]

    @property
    def nbytes(self) -> int:
        return sum(weight.nbytes for weight in self.weights)


class FolderShards:
    """Shards as files of the folder holding the model.json."""

    def __init__(self, folder: Path):
        self.folder = folder

    def size(self, name: str) -> int | None:
        path = self.folder / name
        return path.stat().st_size if path.is_file() else None

    def read(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()


class ZipShards:
    """Shards as members of a zip, beside its model.json member (`prefix` is that member's folder)."""

    def __init__(self, file, prefix: str = ""):
        self.file, self.prefix = file, prefix

    def size(self, name: str) -> int | None:
        with zipfile.ZipFile(self.file) as archive:
            try:
                return archive.getinfo(self.prefix + name).file_size
            except KeyError:
                return None

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(self.file) as archive:
            return archive.read(self.prefix + name)


def parse_manifest(label: str, manifest: Any) -> tuple[WeightGroup, ...]:
    """The groups of `manifest` (the `weightsManifest` value)."""
    if manifest is None:
        return ()
    if not isinstance(manifest, list) or not all(isinstance(group, dict) for group in manifest):
        raise SourceError(label, "weightsManifest must be a list of {paths, weights} objects")
    return tuple(_group(label, group) for group in manifest)


def _group(label: str, group: dict) -> WeightGroup:
    paths, weights = group.get("paths"), group.get("weights")
    if not isinstance(paths, list) or not isinstance(weights, list):
        raise SourceError(label, "a weightsManifest group needs a 'paths' list and a 'weights' list")
    return WeightGroup(
        tuple(_shard_path(label, path) for path in paths), tuple(_weight(label, weight) for weight in weights)
    )


def _shard_path(label: str, path: Any) -> str:
    """A shard's path relative to the folder (`./` dropped); one that could leave the folder is refused."""
    if not isinstance(path, str) or not path.strip():
        raise SourceError(label, f"a weights shard path must be a file name, got {path!r}")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or "\\" in path or ":" in path or ".." in parts:
        raise SourceError(label, f"weights shard {path!r} is not a file inside the model's folder")
    return str(PurePosixPath(*[part for part in parts if part != "."]))


def _weight(label: str, weight: Any) -> ManifestWeight:
    if not isinstance(weight, dict) or not isinstance(weight.get("name"), str):
        raise SourceError(label, "a weightsManifest weight needs a 'name'")
    name, shape, dtype = weight["name"], weight.get("shape"), weight.get("dtype", "float32")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise SourceError(label, f"weight {name!r}: shape must be a list of integers, got {shape!r}")
    if any(d < 0 for d in shape):
        raise SourceError(label, f"weight {name!r}: shape {shape} has a negative size")
    if dtype not in DTYPES:
        raise SourceError(label, f"weight {name!r}: unknown dtype {dtype!r} (expected {', '.join(DTYPES)})")
    quantization = weight.get("quantization")
    if quantization is None:
        return ManifestWeight(name, tuple(shape), dtype, DTYPES[dtype])
    return _quantized(label, name, tuple(shape), dtype, quantization)


def _quantized(label: str, name: str, shape: tuple, dtype: str, quantization: Any) -> ManifestWeight:
    stored = quantization.get("dtype") if isinstance(quantization, dict) else None
    if stored not in QUANTIZED:
        raise SourceError(
            label, f"weight {name!r}: unknown quantization dtype {stored!r} (expected {', '.join(QUANTIZED)})"
        )
    if stored == "float16":
        if dtype != "float32":
            raise SourceError(label, f"weight {name!r}: float16 quantization of a {dtype} weight")
        return ManifestWeight(name, shape, dtype, QUANTIZED[stored])
    scale, minimum = quantization.get("scale"), quantization.get("min")
    if not all(_finite(value) for value in (scale, minimum)):
        raise SourceError(label, f"weight {name!r}: {stored} quantization needs numeric 'scale' and 'min'")
    if dtype == "bool":
        raise SourceError(label, f"weight {name!r}: {stored} quantization of a bool weight")
    return ManifestWeight(name, shape, dtype, QUANTIZED[stored], float(scale), float(minimum))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_shards(label: str, groups: tuple[WeightGroup, ...], shards) -> None:
    """Every shard is there and each group's shards hold exactly the bytes its weights take."""
    for number, group in enumerate(groups, 1):
        total = 0
        for name in group.paths:
            size = shards.size(name)
            if size is None:
                raise SourceError(label, f"weights shard {name} is missing (listed in weightsManifest)")
            total += size
        if total != group.nbytes:
            which = "short" if total < group.nbytes else "longer than the manifest says"
            raise SourceError(
                label,
                f"weights shards of group {number} ({', '.join(group.paths)}) are {which}: "
                f"{total} bytes, the manifest's {len(group.weights)} weights take {group.nbytes}",
            )
