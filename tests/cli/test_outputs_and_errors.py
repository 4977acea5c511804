"""Outputs and errors a careful user found (issue 19): `-o FILE` picks the format from its extension on
every report command, `--exit-zero` wherever findings exit 1, contradictions refused, and an unwritable
folder, an unreadable config.json and a truncated weights file each one line, exit 2."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, invoke


@pytest.fixture()
def broken(tmp_path, saved_models) -> str:
    envelope = json.loads(open(saved_models["sequential"]["json"]).read())
    envelope["config"]["layers"][-1]["config"]["units"] = -3
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(envelope))
    return str(path)


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: a read-only one, or /sys for root (which ignores
    permissions on ordinary folders)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        folder = Path("/sys")
    try:
        (folder / ".probe").write_text("")
    except OSError:
        return folder
    pytest.fail(f"no unwritable folder to test with ({folder} took a file)")


def test_clone_refuses_a_save_format_that_contradicts_the_extension(saved_models, tmp_path):
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "--save-format", "h5", "-o", tmp_path / "x.keras"
    )
    assert_one_line_error(result, "x.keras: --save-format h5 contradicts the extension (a keras file name)")
    assert not (tmp_path / "x.keras").exists()


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("rep.json", lambda text: json.loads(text)["changes"]),
        ("rep.html", lambda text: text.startswith("<!DOCTYPE html>")),
        ("rep.md", lambda text: "```mermaid" in text or text.startswith("#") or "|" in text),
    ],
)
def test_diff_output_format_from_the_extension(saved_models, broken, tmp_path, name, check):
    out = tmp_path / name
    result = invoke("diff", saved_models["sequential"]["json"], broken, "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert check(out.read_text())


def test_a_format_contradicting_the_extension_is_refused(saved_models, broken, tmp_path):
    result = invoke(
        "diff", "--format", "json", saved_models["sequential"]["json"], broken, "-o", tmp_path / "r.html"
    )
    assert_one_line_error(result, "r.html: --format json contradicts the extension")


def test_validate_and_scan_write_reports_by_extension(saved_models, broken, tmp_path):
    sarif = tmp_path / "v.sarif"
    assert invoke("validate", broken, "-o", sarif).exit_code == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    found = tmp_path / "s.json"
    assert invoke("scan", saved_models["lambda"]["keras"], "-o", found).exit_code == 1
    assert json.loads(found.read_text())["files"][0]["errors"]


def test_compare_writes_its_report_by_extension(compare_files, tmp_path):
    out = tmp_path / "cmp.json"
    result = invoke("compare", compare_files["two_heads"], compare_files["two_heads_changed"], "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["equal"] is False


def test_exit_zero_everywhere_findings_exit_1(saved_models, broken, compare_files):
    assert invoke("validate", "--exit-zero", broken).exit_code == 0
    assert invoke("scan", "--exit-zero", saved_models["lambda"]["keras"]).exit_code == 0
    assert invoke("diff", "--exit-zero", saved_models["sequential"]["json"], broken).exit_code == 0
    pair = (compare_files["two_heads"], compare_files["two_heads_changed"])
    assert invoke("compare", "--exit-zero", *pair).exit_code == 0
    assert invoke("validate", "--exit-zero", "no-such-file.keras").exit_code == 2  # trouble is still 2


@pytest.mark.parametrize(
    "command",
    [
        ("diff", "{a}", "{b}", "-o", "{dir}/rep.json"),
        ("validate", "{a}", "-o", "{dir}/rep.json"),
        ("dump", "{a}", "-o", "{dir}/config.json"),
        ("clone", "{a}", "-o", "{dir}/clone.keras"),
    ],
    ids=lambda command: command[0],
)
def test_an_unwritable_output_folder_is_one_line(saved_models, tmp_path, command):
    folder = _unwritable_folder(tmp_path)
    keras_file = saved_models["sequential"]["keras"]
    args = [part.format(a=keras_file, b=saved_models["sequential"]["h5"], dir=folder) for part in command]
    assert_one_line_error(invoke(*args), f"cannot write in '{folder}'", "Permission denied")


def test_an_unreadable_config_json_in_a_folder_is_one_line(saved_models, tmp_path, monkeypatch):
    folder = tmp_path / "model_dir"
    shutil.copytree(saved_models["sequential"]["dir"], folder)
    real_read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "config.json":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    for command in (("dump", folder), ("validate", folder), ("clone", folder, "--dry-run")):
        result = invoke(*command)
        assert_one_line_error(result, f"{folder / 'config.json'}: cannot read the file (Permission denied)")


@pytest.mark.parametrize("form", ["keras", "dir"])
def test_a_truncated_weights_file_under_keep_weights_is_one_line(saved_models, tmp_path, form):
    if form == "dir":
        source = tmp_path / "truncated_dir"
        shutil.copytree(saved_models["sequential"]["dir"], source)
        weights = source / "model.weights.h5"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    else:
        source = tmp_path / "truncated.keras"
        with (
            zipfile.ZipFile(saved_models["sequential"]["keras"]) as original,
            zipfile.ZipFile(source, "w") as copy,
        ):
            for info in original.infolist():
                data = original.read(info)
                copy.writestr(info, data[: len(data) // 2] if info.filename == "model.weights.h5" else data)
    out = tmp_path / "clone.keras"
    result = invoke("clone", source, "-o", out, "--keep-weights")
    assert_one_line_error(result, f"{source}: cannot read the weights", "truncated")
    assert not out.exists()
