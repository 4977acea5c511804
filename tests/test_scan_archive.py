"""`scan` of `.keras` members and model folders: pickles by magic bytes, nested archives, odd members."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.scan.archive import sniff
from modelcfg_cli.scan.model import scan_model
from modelcfg_cli.sources import read_document
from tests.scan_probes import zip_bytes


def with_members(source: str, target: Path, members: dict[str, bytes]) -> str:
    """A copy of the `.keras` file `source` with `members` added."""
    target.write_bytes(Path(source).read_bytes())
    with zipfile.ZipFile(target, "a") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(target)


def member_findings(path: str) -> dict[str, object]:
    return {f.member: f for f in scan_model(read_document(path)) if f.member}


def test_a_clean_keras_file_has_no_member_findings(saved_models):
    assert member_findings(saved_models["nested"]["keras"]) == {}


def test_pickles_nested_archives_and_strangers(saved_models, tmp_path):
    path = with_members(
        saved_models["sequential"]["keras"],
        tmp_path / "evil.keras",
        {
            "assets/state.bin": pickle.dumps({"a": 1}, protocol=4),
            "assets/vocab.txt": b"a\nb\n",
            "model.pt": b"not even a pickle",
            "payload.zip": zip_bytes({"archive/data.pkl": pickle.dumps([1], protocol=2), "v": b"3"}),
            "docs.zip": zip_bytes({"readme.txt": b"hi"}),
            "notes.txt": b"hello",
            "../escape.txt": b"x",
        },
    )
    found = member_findings(path)
    assert set(found) == {
        "assets/state.bin",
        "model.pt",
        "payload.zip",
        "docs.zip",
        "notes.txt",
        "../escape.txt",
    }
    assert (found["assets/state.bin"].rule, found["assets/state.bin"].severity) == ("pickle", ERROR)
    assert "pickle (protocol 4)" in found["assets/state.bin"].message
    assert found["model.pt"].rule == "pickle"  # by its name
    assert (
        found["payload.zip"].rule == "pickle" and "pickles: archive/data.pkl" in found["payload.zip"].message
    )
    assert (found["docs.zip"].rule, found["docs.zip"].severity) == ("unexpected-member", ERROR)
    assert (found["notes.txt"].rule, found["notes.txt"].severity) == ("unexpected-member", WARNING)
    assert "leaves the archive" in found["../escape.txt"].message
    assert all(f.pointer == "" and f.layer is None for f in found.values())


def test_weights_that_are_not_what_their_name_says(saved_models, tmp_path):
    source = Path(saved_models["sequential"]["keras"])
    target = tmp_path / "swapped.keras"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as archive:
        for info in original.infolist():
            data = original.read(info)
            archive.writestr(info, pickle.dumps(data) if info.filename == "model.weights.h5" else data)
    found = member_findings(str(target))
    assert found["model.weights.h5"].rule == "pickle"


def test_npz_weights_with_object_arrays(saved_models, tmp_path):
    buffer = io.BytesIO()
    np.savez(buffer, kernel=np.zeros((2, 2)), table=np.array([{"a": 1}], dtype=object))
    path = with_members(saved_models["sequential"]["keras"], tmp_path / "npz.keras", {})
    rebuilt = tmp_path / "npz_weights.keras"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(rebuilt, "w") as archive:
        for info in original.infolist():
            if info.filename != "model.weights.h5":
                archive.writestr(info, original.read(info))
        archive.writestr("model.weights.npz", buffer.getvalue())
    [finding] = member_findings(str(rebuilt)).values()
    assert finding.rule == "pickle" and "table.npy" in finding.message and "kernel" not in finding.message


def test_duplicate_members(saved_models, tmp_path):
    import warnings

    from modelcfg_cli.scan.archive import scan_archive

    path = with_members(saved_models["sequential"]["keras"], tmp_path / "dup.keras", {})
    with zipfile.ZipFile(path, "a") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        archive.writestr("config.json", b"{}")
    [finding] = scan_archive(path, path)
    assert finding.member == "config.json" and "in the archive 2 times" in finding.message


def test_model_folder_members(saved_models, tmp_path):
    import shutil

    folder = tmp_path / "model_dir"
    shutil.copytree(saved_models["nested"]["dir"], folder)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "cache.bin").write_bytes(pickle.dumps([1], protocol=5))
    os.symlink("/etc/passwd", folder / "link")
    found = member_findings(str(folder))
    assert set(found) == {"assets/cache.bin", "link"}
    assert found["assets/cache.bin"].rule == "pickle" and "symlink" in found["link"].message


def test_sniff_magic_bytes():
    assert sniff(pickle.dumps(1, protocol=2)) == "pickle (protocol 2)"
    assert sniff(b"PK\x03\x04rest") == "zip archive"
    assert sniff(b"\x1f\x8b\x08") == "gzip archive"
    assert sniff(b"\x89HDF\r\n\x1a\n") == "HDF5 file"
    assert sniff(b"\x00" * 257 + b"ustar") == "tar archive"
    assert sniff(b'{"class_name": "x"}') is None
    assert sniff(b"\x80\x09") is None  # no such pickle protocol
