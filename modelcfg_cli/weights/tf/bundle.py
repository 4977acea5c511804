"""Read a TensorFlow checkpoint bundle (`variables/variables.index` + `variables.data-*`) with numpy only.

The index is a sorted table (`sstable.py`) of `BundleEntryProto` records keyed by checkpoint keys
(`layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`); the key `""` holds the header (shard count,
byte order). Each tensor's bytes sit in a data shard at (offset, size) and carry a masked CRC-32C that is
checked on every read. The `_CHECKPOINTABLE_OBJECT_GRAPH` entry (a serialized `TrackableObjectGraph`)
says which object owns which variable: `object_graph()` returns it as a list of `TrackedObject`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import modelcfg_cli.sources.protowire as pw
from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.tf.crc32c import crc32c, masked
from modelcfg_cli.weights.tf.sstable import read_table

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
DT_STRING = 7
BFLOAT16 = 14
DTYPES = {
    1: np.float32,
    2: np.float64,
    3: np.int32,
    4: np.uint8,
    5: np.int16,
    6: np.int8,
    9: np.int64,
    10: np.bool_,
    14: np.uint16,
    17: np.uint16,
    19: np.float16,
    22: np.uint32,
    23: np.uint64,
}
DTYPE_NAMES = {7: "string", 8: "complex64", 18: "complex128", 20: "resource", 21: "variant"}


@dataclass(frozen=True)
class Entry:
    """Where one tensor is stored and what it is (a `BundleEntryProto`)."""

    key: str
    dtype: int
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int
    crc: int
    sliced: bool


@dataclass(frozen=True)
class TrackedObject:
    """One node of the object graph: `children` are (local name, node id), `variables` (attribute name,
    checkpoint key) for the values the object itself holds."""

    children: tuple[tuple[str, int], ...]
    variables: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Bundle:
    """An opened checkpoint: its entries by key and the data shard files."""

    label: str
    entries: dict[str, Entry]
    shards: tuple[Path, ...]


def open_bundle(variables_dir: Path, prefix: str = "variables") -> Bundle:
    """Read `<variables_dir>/<prefix>.index` and locate its data shards."""
    index = variables_dir / f"{prefix}.index"
    label = str(index)
    try:
        data = index.read_bytes()
    except OSError as exc:
        raise SourceError(label, f"cannot read the checkpoint index ({exc.strerror or exc})") from exc
    table = read_table(data, label)
    if b"" not in table:
        raise SourceError(label, "checkpoint index has no header entry: not a TensorFlow 2 checkpoint")
    header = pw.message(table.pop(b""), label)
    num_shards = pw.first(header, 1, 1)
    if pw.first(header, 2, 0) != 0:
        raise SourceError(label, "checkpoint was written big-endian: not supported")
    entries = {}
    for raw_key, value in table.items():
        key = raw_key.decode("utf-8", "replace")
        entries[key] = _entry(key, value, label)
    shards = tuple(variables_dir / f"{prefix}.data-{i:05d}-of-{num_shards:05d}" for i in range(num_shards))
    return Bundle(label, entries, shards)


def _entry(key: str, value: bytes, label: str) -> Entry:
    fields = pw.message(value, label)
    shape_fields = pw.message(pw.first(fields, 2, b""), label)
    if pw.first(shape_fields, 3, 0):
        raise SourceError(label, f"tensor {key!r} has an unknown rank")
    dims = tuple(pw.signed(pw.first(pw.message(dim, label), 1, 0)) for dim in shape_fields.get(2, []))
    if any(d < 0 for d in dims):
        raise SourceError(label, f"tensor {key!r} has an unknown dimension in its shape {list(dims)}")
    return Entry(
        key=key,
        dtype=pw.first(fields, 1, 0),
        shape=dims,
        shard=pw.first(fields, 3, 0),
        offset=pw.first(fields, 4, 0),
        size=pw.first(fields, 5, 0),
        crc=pw.first(fields, 6, 0),
        sliced=bool(fields.get(7)),
    )


def _raw_bytes(bundle: Bundle, entry: Entry) -> bytes:
    if entry.shard >= len(bundle.shards):
        raise SourceError(bundle.label, f"tensor {entry.key!r} names shard {entry.shard}, which is not there")
    shard = bundle.shards[entry.shard]
    try:
        with shard.open("rb") as handle:
            handle.seek(entry.offset)
            data = handle.read(entry.size)
    except OSError as exc:
        raise SourceError(str(shard), f"cannot read the checkpoint data ({exc.strerror or exc})") from exc
    if len(data) != entry.size:
        raise SourceError(str(shard), f"truncated checkpoint data: tensor {entry.key!r} runs past the end")
    return data


def read_tensor(bundle: Bundle, key: str) -> np.ndarray:
    """The tensor stored under `key`, its checksum verified; bfloat16 comes back as float32."""
    entry = bundle.entries[key]
    if entry.sliced:
        raise SourceError(bundle.label, f"tensor {key!r} is stored in slices (partitioned): not supported")
    if entry.dtype not in DTYPES:
        kind = DTYPE_NAMES.get(entry.dtype, f"dtype #{entry.dtype}")
        raise SourceError(bundle.label, f"tensor {key!r} holds {kind} values: not supported")
    dtype = np.dtype(DTYPES[entry.dtype]).newbyteorder("<")
    if entry.size != math.prod(entry.shape) * dtype.itemsize:
        raise SourceError(
            bundle.label, f"tensor {key!r}: {entry.size} bytes do not fit {list(entry.shape)} of {dtype}"
        )
    data = _raw_bytes(bundle, entry)
    _check_crc(bundle, entry, crc32c(data))
    array = np.frombuffer(data, dtype).reshape(entry.shape)
    if entry.dtype == BFLOAT16:
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array.astype(dtype.newbyteorder("="))


def _check_crc(bundle: Bundle, entry: Entry, crc: int) -> None:
    if masked(crc) != entry.crc:
        raise SourceError(
            str(bundle.shards[entry.shard]),
            f"checksum mismatch for tensor {entry.key!r}: the checkpoint data is corrupt",
        )


def read_scalar_string(bundle: Bundle, key: str) -> bytes:
    """A scalar string tensor: `[varint length][4-byte masked CRC of the length][bytes]`."""
    entry = bundle.entries[key]
    if entry.dtype != DT_STRING or entry.shape:
        raise SourceError(bundle.label, f"tensor {key!r} is not a scalar string")
    data = _raw_bytes(bundle, entry)
    length, pos = pw.read_varint(data, 0, bundle.label)
    if pos + 4 + length != len(data):
        raise SourceError(bundle.label, f"tensor {key!r}: the string length does not fit {len(data)} bytes")
    crc = crc32c(length.to_bytes(4 if length < 2**32 else 8, "little"))
    crc = crc32c(data[pos : pos + 4 + length], crc)
    _check_crc(bundle, entry, crc)
    return data[pos + 4 :]


def object_graph(bundle: Bundle) -> list[TrackedObject]:
    """The checkpoint's `TrackableObjectGraph`: node 0 is the root object."""
    if OBJECT_GRAPH_KEY not in bundle.entries:
        raise SourceError(bundle.label, "checkpoint has no object graph: a TensorFlow 1 (name-based) one")
    label = f"{bundle.label}:{OBJECT_GRAPH_KEY}"
    nodes = []
    for node in pw.message(read_scalar_string(bundle, OBJECT_GRAPH_KEY), label).get(1, []):
        fields = pw.message(node, label)
        children = []
        for child in fields.get(1, []):
            reference = pw.message(child, label)
            children.append((pw.text(reference, 2, label), pw.first(reference, 1, 0)))
        variables = []
        for attribute in fields.get(2, []):
            tensor = pw.message(attribute, label)
            variables.append((pw.text(tensor, 1, label), pw.text(tensor, 3, label)))
        nodes.append(TrackedObject(tuple(children), tuple(variables)))
    for node in nodes:
        for name, child in node.children:
            if not 0 <= child < len(nodes):
                raise SourceError(label, f"corrupt object graph: child {name!r} names node {child}")
    return nodes
