"""`modelcfg validate` and `modelcfg schema` end to end: exit codes, report formats, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, invoke, run_without_keras


def write_model(path, envelope: dict) -> str:
    path.write_text(json.dumps(envelope))
    return str(path)


@pytest.fixture()
def broken(tmp_path, saved_models) -> str:
    """The sequential test model with `units: -3` on dense_2 and an unknown keyword on dense_1."""
    envelope = json.loads(open(saved_models["sequential"]["json"]).read())
    layers = envelope["config"]["layers"]
    next(e for e in layers if e["config"]["name"] == "dense_2")["config"]["units"] = -3
    next(e for e in layers if e["config"]["name"] == "dense_1")["config"]["unitz"] = 8
    return write_model(tmp_path / "broken.json", envelope)


@pytest.fixture()
def custom(tmp_path, saved_models) -> str:
    envelope = json.loads(open(saved_models["sequential"]["json"]).read())
    entry = envelope["config"]["layers"][-1]
    entry.update(
        module="keras_hub.src.models", class_name="GPT2Backbone", registered_name="keras_hub>GPT2Backbone"
    )
    return write_model(tmp_path / "custom.json", envelope)


def test_valid_files_exit_0(saved_models):
    paths = [saved_models["nested"][fmt] for fmt in ("keras", "h5", "json")]
    result = invoke("validate", *paths)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip().splitlines()[-1] == "3 files checked: 3 valid, 0 invalid (0 errors, 0 warnings)"
    )


def test_errors_exit_1_with_readable_messages(broken):
    result = invoke("--color", "never", "validate", broken)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{broken}: invalid (2 errors, 0 warnings)" in out
    assert (
        "error   layers[1] dense_1 (Dense): unknown field 'unitz' (Keras rejects unrecognized keyword" in out
    )
    assert "error   layers[3] dense_2 (Dense): units must be an integer >= 1, got -3" in out
    assert "\x1b[" not in out


def test_json_report_shape(broken, saved_models):
    result = invoke("validate", "--format", "json", broken, saved_models["rnn"]["keras"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"files", "summary"}
    first, second = report["files"]
    assert set(first) == {"path", "valid", "errors", "warnings"}
    assert first["path"] == broken and first["valid"] is False and second["valid"] is True
    assert first["errors"][1] == {
        "pointer": "/config/layers/3/config/units",
        "layer": "dense_2",
        "class_name": "Dense",
        "message": "units must be an integer >= 1, got -3",
        "severity": "error",
    }
    assert report["summary"] == {
        "files": 2,
        "valid": 1,
        "invalid": 1,
        "unreadable": 0,
        "errors": 2,
        "warnings": 0,
    }


def test_github_annotations(broken):
    result = invoke("validate", "--format", "github", broken)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"::error file={broken},title=modelcfg%3A dense_1 (Dense)::layers[1] dense_1 (Dense)"
    )
    assert lines[-1] == "1 file checked: 0 valid, 1 invalid (2 errors, 0 warnings)"


def test_unknown_class_warning_then_strict_error(custom):
    """A keras_hub class this keras-hub does not register (a newer one) is unknown."""
    envelope = json.loads(open(custom).read())
    envelope["config"]["layers"][-1].update(
        class_name="FutureBackbone", registered_name="keras_hub>FutureBackbone"
    )
    custom = write_model(Path(custom).with_name("future.json"), envelope)
    result = invoke("validate", "--format", "json", custom)
    assert result.exit_code == 0
    [warning] = json.loads(result.stdout)["files"][0]["warnings"]
    assert warning["class_name"] == "FutureBackbone" and "keras_hub>FutureBackbone" in warning["message"]
    assert invoke("validate", "--strict", custom).exit_code == 1


def test_schema_dir_makes_custom_class_known(custom, tmp_path):
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "keras_hub.GPT2Backbone.json").write_text(json.dumps({"type": "object"}))
    result = invoke("validate", "--strict", "--schema-dir", folder, custom)
    assert result.exit_code == 0, result.output


def test_bad_schema_dir(saved_models, tmp_path):
    assert_one_line_error(
        invoke("validate", "--schema-dir", tmp_path / "nope", saved_models["nested"]["keras"]),
        "nope",
        "--schema-dir is not a directory",
    )
    (tmp_path / "Broken.json").write_text("{not json")
    assert_one_line_error(
        invoke("validate", "--schema-dir", tmp_path, saved_models["nested"]["keras"]),
        "Broken.json",
        "cannot read",
    )


def test_unreadable_file_among_good_ones_exit_2(saved_models, broken, tmp_path):
    bad = tmp_path / "empty.keras"
    bad.write_bytes(b"")
    result = invoke("validate", saved_models["nested"]["keras"], str(bad), broken)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"modelcfg: error: {bad}: the file is empty"
    assert f"{saved_models['nested']['keras']}: valid" in result.stdout
    assert f"{broken}: invalid" in result.stdout
    assert "3 files checked: 1 valid, 1 invalid, 1 unreadable (2 errors, 0 warnings)" in result.stdout


def test_many_files_use_workers_and_keep_order(saved_models, broken):
    paths = [
        saved_models[name][fmt] for name in ("nested", "branches", "rnn") for fmt in ("keras", "h5", "json")
    ]
    paths.append(broken)
    result = invoke("validate", "--format", "json", "--jobs", "2", *paths)
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == paths
    assert [f["valid"] for f in files] == [True] * 9 + [False]


def test_schema_list_and_print():
    listed = invoke("schema", "--list")
    names = listed.stdout.split()
    assert listed.exit_code == 0 and "model" in names and "Conv2D" in names and "ops.numpy.Add" in names
    shown = invoke("schema", "Dropout")
    schema = json.loads(shown.stdout)
    assert schema["properties"]["rate"] == {"type": "number", "minimum": 0, "maximum": 1}
    assert json.loads(invoke("schema", "defs/initializer").stdout)["title"] == "initializer"
    assert json.loads(invoke("schema", "model").stdout)["title"] == "Keras model"


def test_schema_unknown_name_and_no_name():
    assert_one_line_error(
        invoke("schema", "Conv2d"), "no bundled schema named 'Conv2d'", "did you mean Conv2D"
    )
    assert_one_line_error(invoke("schema"), "give a schema NAME or --list")


@pytest.mark.parametrize("args", [["validate", "{keras}", "{h5}"], ["schema", "Conv2D"]])
def test_validate_does_not_import_keras(saved_models, args):
    run_without_keras(*(a.format(**saved_models["rnn"]) for a in args))


def test_legacy_source_checked_as_stored_or_upgraded(legacy_dir):
    stored = invoke("validate", "--format", "json", legacy_dir["keras1_json"])
    assert stored.exit_code == 1
    report = json.loads(stored.stdout)["files"][0]
    assert any("output_dim" in e["message"] for e in report["errors"])
    assert any("saved by 1.2.2" in w["message"] and "--upgrade" in w["message"] for w in report["warnings"])
    upgraded = invoke("validate", "--upgrade", "--format", "json", legacy_dir["keras1_json"])
    assert upgraded.exit_code == 0, upgraded.stdout
    assert json.loads(upgraded.stdout)["files"][0]["warnings"] == []


def test_subclassed_model_is_a_warning_then_an_error_with_strict(tmp_path):
    path = tmp_path / "vae.json"
    path.write_text(json.dumps({"module": "my_models", "class_name": "VAE", "config": {"latent": 8}}))
    lenient = invoke("validate", "--format", "json", path)
    assert lenient.exit_code == 0
    assert "VAE is not a Functional or Sequential" in lenient.stdout
    assert invoke("validate", "--strict", path).exit_code == 1


def test_text_findings_show_their_json_pointer(saved_models, tmp_path):
    config = json.loads(open(saved_models["sequential"]["json"]).read())
    config["config"]["layers"][1]["config"]["units"] = -2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    result = invoke("--color", "never", "validate", path)
    assert result.exit_code == 1
    assert "layers[1] dense_1 (Dense): units must be" in result.stdout
    assert result.stdout.splitlines()[1].endswith("(at /config/layers/1/config/units)")
