"""A TensorFlow.js zip whose weights shard is damaged (its bytes no longer match the zip's CRC): every
command that reads the tensors stops with one line naming the file, not a traceback."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, invoke

MODEL = Path(__file__).resolve().parent / "tfjs_fixtures" / "data" / "teachable_js" / "model"


def _damaged_zip(tmp_path: Path) -> Path:
    """The fixture zipped (stored, not compressed) with one byte of `weights.bin` flipped in place."""
    target = tmp_path / "damaged.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(MODEL.iterdir()):
            archive.write(file, file.name)
    with zipfile.ZipFile(target) as archive:
        offset = archive.getinfo("weights.bin").header_offset
    data = bytearray(target.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    data[offset + 30 + name_length + extra_length + 10] ^= 0xFF
    target.write_bytes(bytes(data))
    with zipfile.ZipFile(target) as archive, pytest.raises(zipfile.BadZipFile):
        archive.read("weights.bin")
    return target


@pytest.mark.parametrize("command", [("textconv",), ("diff", "--weights")])
def test_a_damaged_shard_is_a_one_line_error(tmp_path, command):
    damaged = _damaged_zip(tmp_path)
    args = (*command, damaged, MODEL) if command[0] == "diff" else (*command, damaged)
    assert_one_line_error(invoke(*args), "cannot read a weights shard (Bad CRC-32")
