"""Read a LevelDB-style sorted table, the format of TensorFlow's `variables.index`.

Layout: data blocks, a metaindex block, an index block, then a 48-byte footer (two block handles and a
magic number). A block holds prefix-compressed entries, an array of restart offsets and their count, and
is followed by a one-byte compression type and a masked CRC-32C. TensorFlow writes blocks uncompressed;
a snappy-compressed block is refused.
"""

from __future__ import annotations

import struct

from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.protowire import read_varint
from modelcfg_cli.weights.tf.crc32c import crc32c, masked

FOOTER_SIZE = 48
MAGIC = 0xDB4775248B80FB57
TRAILER_SIZE = 5
NO_COMPRESSION, SNAPPY = 0, 1


def read_table(data: bytes, label: str) -> dict[bytes, bytes]:
    """Every `key -> value` of the table `data` (the whole file), in key order."""
    if len(data) < FOOTER_SIZE:
        raise SourceError(label, f"not a TensorFlow checkpoint index: {len(data)} bytes, too short")
    footer = data[-FOOTER_SIZE:]
    if struct.unpack("<Q", footer[-8:])[0] != MAGIC:
        raise SourceError(label, "not a TensorFlow checkpoint index (no table magic number at the end)")
    _, pos = _handle(footer, 0, label)
    index_handle, _ = _handle(footer, pos, label)
    table: dict[bytes, bytes] = {}
    for _, value in _block_entries(_block(data, index_handle, label), label):
        block_handle, _ = _handle(value, 0, label)
        table.update(_block_entries(_block(data, block_handle, label), label))
    return table


def _handle(data: bytes, pos: int, label: str) -> tuple[tuple[int, int], int]:
    offset, pos = read_varint(data, pos, label)
    size, pos = read_varint(data, pos, label)
    return (offset, size), pos


def _block(data: bytes, handle: tuple[int, int], label: str) -> bytes:
    offset, size = handle
    end = offset + size
    if end + TRAILER_SIZE > len(data) - FOOTER_SIZE:
        raise SourceError(label, f"truncated or corrupt index: a block at offset {offset} runs past the end")
    contents, kind = data[offset:end], data[end]
    stored = struct.unpack("<I", data[end + 1 : end + TRAILER_SIZE])[0]
    if masked(crc32c(bytes([kind]), crc32c(contents))) != stored:
        raise SourceError(label, f"corrupt index: checksum mismatch in the block at offset {offset}")
    if kind == SNAPPY:
        raise SourceError(label, "a snappy-compressed index block: not supported (TensorFlow writes none)")
    if kind != NO_COMPRESSION:
        raise SourceError(label, f"corrupt index: unknown block compression {kind}")
    return contents


def _block_entries(block: bytes, label: str):
    """(key, value) of every entry of a block, undoing the shared-prefix compression."""
    if len(block) < 4:
        raise SourceError(label, "corrupt index: a block too short for its restart count")
    restarts = struct.unpack("<I", block[-4:])[0]
    end = len(block) - 4 - 4 * restarts
    if end < 0:
        raise SourceError(label, f"corrupt index: {restarts} restart points do not fit in the block")
    pos, key = 0, b""
    while pos < end:
        shared, pos = read_varint(block, pos, label)
        unshared, pos = read_varint(block, pos, label)
        size, pos = read_varint(block, pos, label)
        if shared > len(key) or pos + unshared + size > end:
            raise SourceError(label, f"corrupt index: a bad entry at block offset {pos}")
        key = key[:shared] + block[pos : pos + unshared]
        pos += unshared
        yield key, block[pos : pos + size]
        pos += size
