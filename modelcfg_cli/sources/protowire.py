"""Read the protobuf wire format (varint, fixed32/64, length-delimited) without the `protobuf` package.

`fields(data, label)` yields `(field_number, wire_type, value)`; `message(data, label)` gathers them into
`{field_number: [value, ...]}`. Varints come back as ints, fixed32/fixed64 as unsigned ints, and
length-delimited fields as `bytes` (decode a nested message with `message()` again). Truncated or corrupt
input raises `SourceError` naming `label` (the file).
"""

from __future__ import annotations

from collections.abc import Iterator

from modelcfg_cli.errors import SourceError

VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
MAX_VARINT_BYTES = 10


def read_varint(data: bytes, pos: int, label: str) -> tuple[int, int]:
    """The varint at `pos` and the position after it."""
    result = 0
    for shift in range(0, 7 * MAX_VARINT_BYTES, 7):
        if pos >= len(data):
            raise SourceError(label, f"corrupt protobuf: a varint runs past the end (offset {pos})")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
    raise SourceError(label, f"corrupt protobuf: a varint longer than 10 bytes (offset {pos})")


def fields(data: bytes, label: str) -> Iterator[tuple[int, int, int | bytes]]:
    """Every `(field_number, wire_type, value)` of the serialized message `data`, in order."""
    data = bytes(data)
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos, label)
        number, wire_type = key >> 3, key & 7
        value: int | bytes
        if number == 0:
            raise SourceError(label, f"corrupt protobuf: field number 0 (offset {pos})")
        if wire_type == VARINT:
            value, pos = read_varint(data, pos, label)
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
            _need(data, pos, size, label)
            value = int.from_bytes(data[pos : pos + size], "little")
            pos += size
        elif wire_type == LENGTH:
            size, pos = read_varint(data, pos, label)
            _need(data, pos, size, label)
            value = data[pos : pos + size]
            pos += size
        else:
            raise SourceError(label, f"corrupt protobuf: unsupported wire type {wire_type} (offset {pos})")
        yield number, wire_type, value


def _need(data: bytes, pos: int, size: int, label: str) -> None:
    if pos + size > len(data):
        raise SourceError(
            label, f"corrupt protobuf: a {size}-byte field at offset {pos} runs past the end ({len(data)})"
        )


def message(data: bytes, label: str) -> dict[int, list]:
    """`{field_number: [values in order]}` of the serialized message `data`."""
    found: dict[int, list] = {}
    for number, _, value in fields(data, label):
        found.setdefault(number, []).append(value)
    return found


def first(found: dict[int, list], number: int, default=None):
    """The last value of a singular field (protobuf's rule: the last one wins), or `default`."""
    values = found.get(number)
    return values[-1] if values else default


def text(found: dict[int, list], number: int, label: str, default: str = "") -> str:
    """A string field, decoded as UTF-8."""
    value = first(found, number)
    if value is None:
        return default
    if not isinstance(value, bytes):
        raise SourceError(label, f"corrupt protobuf: field {number} should be a string")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(label, f"corrupt protobuf: field {number} is not UTF-8 text") from exc


def signed(value: int, bits: int = 64) -> int:
    """A varint read as a two's-complement signed integer (int32/int64 fields)."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value
