"""files.py: atomic writes; a failure half-way leaves neither a partial file nor a temp file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelcfg_cli.errors import UsageError
from modelcfg_cli.files import write_atomic


def test_write_atomic_writes_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(str(target), "data")
    assert target.read_text() == "data"
    assert os.listdir(tmp_path) == ["out.json"]


def test_failure_half_way_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UsageError, match=r"cannot write the file \(No space left on device\)"):
        write_atomic(str(target), "new" * 1000)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_failure_while_writing_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    real_write = Path.write_bytes

    def half_then_interrupt(self, data):
        real_write(self, data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "x" * 10_000)
    assert os.listdir(tmp_path) == []


def test_written_file_has_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        write_atomic(str(tmp_path / "out.json"), "{}")
    finally:
        os.umask(mask)
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o644


def test_refuses_input_as_output(tmp_path):
    source = tmp_path / "in.json"
    source.write_text("{}")
    with pytest.raises(UsageError, match="overwrite the input"):
        write_atomic(str(source), "{}", protect=(str(source),))


def test_refuses_missing_folder(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        write_atomic(str(tmp_path / "missing" / "out.json"), "{}")
