"""Hostile input is refused quickly, in bounded memory, with exit 2 and one line."""

from __future__ import annotations

import json
import struct
import zipfile

import h5py
import pytest

from tests.helpers import assert_one_line_error, billion_laughs, invoke


def test_zip_bomb_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.keras"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("config.json", "w", force_zip64=True) as member,
    ):
        chunk = b" " * (16 * 1024 * 1024)
        for _ in range(18):  # 288 MiB of spaces, about 280 KiB compressed
            member.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    assert_one_line_error(invoke("dump", path), "config.json", "over the 268435456-byte cap")


def _lie_about_size(path, real_name: bytes, fake_size: int) -> None:
    """Rewrite the uncompressed size that the zip's headers declare for a member."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, fake_size)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, fake_size)
    assert real_name in data
    path.write_bytes(bytes(data))


def test_zip_member_lying_about_its_size_is_read_only_up_to_the_cap(tmp_path):
    path = tmp_path / "liar.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b"[" + b" " * (4 * 1024 * 1024) + b"]")
    _lie_about_size(path, b"config.json", 100)
    result = invoke("dump", "--max-config-bytes", "1000", path)
    assert_one_line_error(result, "config.json")


@pytest.mark.parametrize("depth", [1_000, 300_000])
def test_deeply_nested_json(tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "]" * depth)
    assert_one_line_error(invoke("dump", path), str(path))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"class_name": "Sequential", "config": {"layers": [], "x": Infinity}}', "Infinity"),
        ('{"class_name": "Sequential", "config": {"layers": [], "x": -Infinity}}', "Infinity"),
        ("class_name: Sequential\nconfig: {layers: [], x: .inf}\n", "not a finite number"),
        ("class_name: Sequential\nconfig: {layers: [], x: .nan}\n", "not a finite number"),
    ],
)
def test_non_finite_numbers(tmp_path, text, fragment):
    path = tmp_path / "model.txt"
    path.write_text(text)
    assert_one_line_error(invoke("dump", path), str(path), fragment)


def test_yaml_alias_bomb_as_model(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    assert_one_line_error(invoke("dump", path), str(path), "alias bomb")


def test_hdf5_model_config_not_json(tmp_path):
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = b"\xff\xfe not json"
    assert_one_line_error(invoke("inspect", path), str(path))


def test_hdf5_model_config_is_a_list(tmp_path):
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps([1, 2]).encode()
    assert_one_line_error(invoke("dump", path), str(path), "must be a JSON object")


def test_output_symlink_refused(saved_models, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    result = invoke("dump", saved_models["sequential"]["keras"], "-o", link)
    assert_one_line_error(result, "symlink")
    assert target.read_text() == "keep me"


def test_output_symlink_to_input_refused(saved_models, tmp_path):
    link = tmp_path / "out.keras"
    link.symlink_to(saved_models["sequential"]["keras"])
    assert_one_line_error(invoke("dump", saved_models["sequential"]["keras"], "-o", link), "symlink")
