"""Every kind of bad input: exit 2, one line naming the file and the problem, no traceback."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest

from tests.helpers import assert_one_line_error, invoke


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture()
def bad_files(tmp_path, saved_models):
    files = {}
    files["empty"] = tmp_path / "empty.keras"
    files["empty"].write_bytes(b"")
    files["random"] = tmp_path / "random.bin"
    files["random"].write_bytes(random.Random(0).randbytes(4096))
    good = open(saved_models["sequential"]["keras"], "rb").read()
    files["truncated"] = tmp_path / "truncated.keras"
    files["truncated"].write_bytes(good[: len(good) // 2])
    files["no_config"] = _zip(tmp_path / "noconfig.keras", {"metadata.json": b"{}"})
    files["config_not_json"] = _zip(tmp_path / "notjson.keras", {"config.json": b"{not json"})
    files["config_list"] = _zip(tmp_path / "list.keras", {"config.json": b"[1, 2]"})
    files["invalid_json"] = tmp_path / "bad.json"
    files["invalid_json"].write_text('{\n  "class_name": "Sequential",\n  "config": {,}\n}')
    files["not_model"] = tmp_path / "package.json"
    files["not_model"].write_text(json.dumps({"name": "left-pad", "version": "1.0"}))
    files["nan"] = tmp_path / "nan.json"
    files["nan"].write_text('{"class_name": "Sequential", "config": {"layers": [], "x": NaN}}')
    files["non_utf8"] = tmp_path / "latin1.json"
    files["non_utf8"].write_bytes(b'{"class_name": "caf\xe9"}')
    files["dir"] = tmp_path / "folder"
    files["dir"].mkdir()
    return files


CASES = {
    "empty": "empty",
    "random": "unrecognised binary content",
    "truncated": "zip",
    "no_config": "no config.json",
    "config_not_json": "invalid JSON at line 1, column 2",
    "config_list": "must be a JSON object, got a list",
    "invalid_json": "invalid JSON at line 3",
    "not_model": "not a Keras model config",
    "nan": "NaN is not a valid JSON number",
    "non_utf8": "not valid UTF-8",
    "dir": "no config.json",
}


@pytest.mark.parametrize("command", ["dump", "inspect"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_one_line_exit_2(bad_files, case, command):
    path = bad_files[case]
    assert_one_line_error(invoke(command, path), str(path), CASES[case])


def test_missing_file():
    assert_one_line_error(
        invoke("dump", "/nonexistent/model.keras"), "/nonexistent/model.keras", "no such file"
    )


def test_weights_only_h5(legacy_dir):
    assert_one_line_error(invoke("dump", legacy_dir["weights_only"]), "weights only")


def test_h5_model_config_not_json(tmp_path):
    import h5py

    path = tmp_path / "broken.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = b"this is not json"
    assert_one_line_error(invoke("dump", path), str(path), "invalid JSON")


def test_zip_member_over_cap_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.keras"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (8 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    result = invoke("dump", "--max-config-bytes", "1048576", path)
    assert_one_line_error(result, "config.json", "over the 1048576-byte cap")


def test_debug_shows_traceback(bad_files):
    result = invoke("--debug", "dump", bad_files["random"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
