"""Marshalled Python code in a config string, told and read by its bytes alone (never unmarshalled).

Keras stores a lambda's code as `marshal.dumps(code)`: base64 text in Keras 2.1+ and Keras 3, the raw
bytes as a latin-1 string in Keras 2.0. A code object starts with the type byte `c` (`0xe3` with the
reference flag) and a small argument count; the names it uses are marshalled strings inside it.
"""

from __future__ import annotations

import base64
import binascii
import re

CODE_TYPES = (0x63, 0xE3)  # TYPE_CODE, TYPE_CODE | FLAG_REF
BASE64_HEAD = re.compile(r"[A-Za-z0-9+/]{8}")
SHORT_STRINGS = (0x7A, 0x5A)  # short ascii, short ascii interned: one length byte
LONG_STRINGS = (0x61, 0x41, 0x75, 0x74, 0x73)  # ascii, ascii interned, unicode, interned, str/bytes
NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
FILENAME = re.compile(rb"(<[a-z][\w-]*>|[\w./\\:~ -]+\.py)")
MIN_CHARS = 24


def code_bytes(text: str) -> bytes | None:
    """The marshalled code held by `text` (base64 or raw), or None when it holds none."""
    if len(text) < MIN_CHARS:
        return None
    if ord(text[0]) in CODE_TYPES and all(ord(ch) < 256 for ch in text[:MIN_CHARS]):
        raw = text.encode("latin-1", "replace")
        return raw if _is_code_header(raw) else None
    if BASE64_HEAD.match(text):
        try:
            head = base64.b64decode(text[:8])
        except (binascii.Error, ValueError):
            return None
        if _is_code_header(head):
            try:
                return base64.b64decode(text)
            except (binascii.Error, ValueError):
                return head
    return None


def is_bytecode(text: str) -> bool:
    """True when `text` is marshalled Python code."""
    return code_bytes(text) is not None


def _is_code_header(data: bytes) -> bool:
    """A code type byte, then an argument count below 256 (a little-endian 32-bit integer)."""
    return len(data) >= 5 and data[0] in CODE_TYPES and data[2:5] == b"\0\0\0"


def bytecode_names(value: object) -> tuple[list[str], str | None]:
    """The identifiers and the source file name marshalled in the first code string found in `value`
    (a string, a Keras 2 `[code, defaults, closure]` list, or a `__lambda__` object)."""
    data = _first_code(value)
    if data is None:
        return [], None
    names: list[str] = []
    filename = None
    for text in _marshalled_strings(data):
        if NAME.fullmatch(text):
            name = text.decode("ascii")
            if name not in names and len(name) > 1:
                names.append(name)
        elif filename is None and FILENAME.fullmatch(text) and text != b"<lambda>":
            filename = text.decode("ascii", "replace")
    return names, filename


def _first_code(value: object) -> bytes | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            data = code_bytes(item)
            if data is not None:
                return data
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


def _marshalled_strings(data: bytes) -> list[bytes]:
    """Every plausible marshalled string in `data`: a type byte, a length, then printable ASCII."""
    found = []
    index = 0
    while index < len(data) - 2:
        kind = data[index] & 0x7F
        if kind in SHORT_STRINGS:
            start, size = index + 2, data[index + 1]
        elif kind in LONG_STRINGS and index + 5 <= len(data):
            start, size = index + 5, int.from_bytes(data[index + 1 : index + 5], "little")
        else:
            index += 1
            continue
        text = data[start : start + size]
        if 0 < size < 256 and len(text) == size and all(32 <= byte < 127 for byte in text):
            found.append(text)
            index = start + size
        else:
            index += 1
    return found
