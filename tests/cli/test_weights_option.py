"""A model as two files (`model.json` + `save_weights()` output) wherever weights are read: `compare
--weights-a/-b`, `diff --weights-a/-b`, `scan --weights`; and their error paths."""

from __future__ import annotations

import json
import pickle
import shutil
import warnings

import h5py
import numpy as np
import pytest

from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.tf_fixtures.fixtures import artifact


def _build(hidden: int, names: tuple[str, str, str]):
    """A Functional model with a nested Sequential, seeded weights."""
    import keras

    keras.utils.set_random_seed(hidden)
    inputs = keras.Input((4,), name="x")
    encoder = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(hidden, activation="relu", name=names[1])], name=names[0]
    )
    outputs = keras.layers.Dense(2, name=names[2])(encoder(inputs))
    return keras.Model(inputs, outputs, name="pair_model")


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> dict:
    """The same model as `.keras`, as `model.json` + `w.weights.h5`, a copy of the weights with one
    changed element, and weights of a model with other layer names."""
    warnings.filterwarnings("ignore")
    folder = tmp_path_factory.mktemp("pair")
    model = _build(3, ("encoder", "hidden", "out"))
    model.save(folder / "model.keras")
    (folder / "model.json").write_text(model.to_json())
    model.save_weights(folder / "w.weights.h5")
    shutil.copy(folder / "w.weights.h5", folder / "changed.weights.h5")
    with h5py.File(folder / "changed.weights.h5", "r+") as handle:
        kernel = handle["layers/dense/vars/0"]  # the top-level Dense "out", as Keras keys it
        values = kernel[()]
        values[1, 0] += 0.25
        kernel[...] = values
    _build(5, ("coder", "inner", "head")).save_weights(folder / "other.weights.h5")
    (folder / "evil.h5").write_bytes(pickle.dumps({"a": 1}, protocol=4))
    (folder / "text.h5").write_text("not HDF5 at all\n")
    with h5py.File(folder / "objects.weights.h5", "w") as handle:
        handle.create_dataset("layers/dense/vars/0", data=np.array(["a", "bb"], dtype=h5py.string_dtype()))
    return {path.name: path for path in folder.iterdir()}


# -- compare ---------------------------------------------------------------------------------------


def test_compare_keras_file_against_json_plus_weights_is_equal(pair):
    result = invoke("compare", pair["model.keras"], pair["model.json"], "--weights-b", pair["w.weights.h5"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("equal: 1 output(s)")
    assert f"model.json: weights from {pair['w.weights.h5']}" in result.stderr
    assert "model.json: weights: kept 4 of 4 tensors in 2 layers" in result.stderr


def test_compare_with_changed_weights_on_side_a_differs(pair):
    result = invoke(
        "compare", pair["model.json"], pair["model.keras"], "--weights-a", pair["changed.weights.h5"]
    )
    assert result.exit_code == 1, result.stderr
    assert "DIFFERENT" in result.stdout.splitlines()[-1]


def test_compare_refuses_weights_that_do_not_fit(pair):
    result = invoke(
        "compare", pair["model.keras"], pair["model.json"], "--weights-b", pair["other.weights.h5"]
    )
    assert_one_line_error(result, "other.weights.h5: its tensors do not fit", "model.json")


def test_compare_refuses_a_missing_weights_file(pair, tmp_path):
    result = invoke("compare", pair["model.json"], pair["model.keras"], "--weights-a", tmp_path / "nope.h5")
    assert_one_line_error(result, "nope.h5: no such file or directory (given with --weights-a)")


def test_compare_refuses_a_weights_file_that_is_not_hdf5(pair):
    result = invoke("compare", pair["model.keras"], pair["model.json"], "--weights-b", pair["text.h5"])
    assert_one_line_error(result, "text.h5: not a weights file (expected HDF5")


def test_compare_still_refuses_a_json_config_without_weights(pair):
    result = invoke("compare", pair["model.keras"], pair["model.json"])
    assert_one_line_error(result, "model.json: holds a config but no weights")


def test_compare_legacy_json_with_keras2_weights_file_matches_the_pair_folder():
    folder = artifact("json_legacy_pair")
    result = invoke("compare", folder, folder / "model.json", "--weights-b", folder / "weights.h5")
    assert result.exit_code == 0, result.stderr
    assert "model.json: upgraded from Keras 2.15.0" in result.stderr


# -- diff --weights --------------------------------------------------------------------------------


def _diff_json(*args) -> tuple[int, dict]:
    result = invoke("diff", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_diff_weights_finds_exactly_the_changed_tensor(pair):
    code, report = _diff_json(
        pair["model.json"],
        pair["model.json"],
        "--weights",
        "--weights-a",
        pair["w.weights.h5"],
        "--weights-b",
        pair["changed.weights.h5"],
    )
    assert code == 1
    [change] = report["changes"]
    assert (change["kind"], change["layer"], change["path"], change["change"]) == (
        "weights",
        "out",
        "0",
        "values",
    )
    assert change["values_changed"] == 1
    assert change["max_abs"] == pytest.approx(0.25)


def test_diff_weights_of_the_keras_file_and_the_pair_are_equal_and_the_options_imply_weights(pair):
    code, report = _diff_json(pair["model.keras"], pair["model.json"], "--weights-b", pair["w.weights.h5"])
    assert (code, report["changes"], report["summary"]["weights"]) == (0, [], 0)


def test_diff_weights_places_a_keras2_weights_file_by_the_model_config():
    folder = artifact("json_legacy_pair")
    code, report = _diff_json(folder / "model.json", folder, "--weights-a", folder / "weights.h5")
    assert (code, report["changes"]) == (0, [])


def test_diff_weights_places_a_tf_keras_weights_file_keyed_by_class_and_counter():
    folder = artifact("json_pair")
    code, report = _diff_json(folder, folder / "model.json", "--weights-b", folder / "model.weights.h5")
    assert (code, report["changes"]) == (0, [])


def test_diff_weights_with_one_file_still_needs_weights_on_the_other_side():
    config = artifact("json_pair") / "model.json"
    result = invoke("diff", config, config, "--weights-a", config.parent / "model.weights.h5")
    assert_one_line_error(result, "model.json: stores no weights (a config-only source)")


def test_diff_weights_refuses_tensors_of_layers_the_model_lacks(pair):
    result = invoke("diff", pair["model.keras"], pair["model.json"], "--weights-b", pair["other.weights.h5"])
    assert_one_line_error(result, "other.weights.h5: its tensors do not fit", "is not in the model")


def test_diff_weights_refuses_a_missing_file(pair, tmp_path):
    result = invoke("diff", pair["model.json"], pair["model.keras"], "--weights-a", tmp_path / "gone.h5")
    assert_one_line_error(result, "gone.h5: no such file or directory (given with --weights-a)")


@pytest.mark.parametrize("name", ["text.h5", "evil.h5"])
def test_diff_weights_refuses_a_file_that_is_not_hdf5(pair, name):
    result = invoke("diff", pair["model.keras"], pair["model.json"], "--weights-b", pair[name])
    assert_one_line_error(result, f"{name}: not a weights file (expected HDF5")


# -- scan --weights --------------------------------------------------------------------------------


def _scan_json(*args) -> tuple[int, list[dict]]:
    result = invoke("scan", "--format", "json", *args)
    [report] = json.loads(result.stdout)["files"]
    return result.exit_code, report["errors"] + report["warnings"]


def test_scan_finds_a_pickle_disguised_as_weights_without_unpickling_it(pair):
    code, findings = _scan_json(pair["model.json"], "--weights", pair["evil.h5"])
    assert code == 1
    [finding] = findings
    assert (finding["rule"], finding["severity"], finding["member"]) == (
        "pickle",
        "error",
        str(pair["evil.h5"]),
    )
    assert finding["message"].startswith(f"{pair['evil.h5']} is a pickle (protocol 4)")


def test_scan_weights_not_hdf5_and_object_datasets_are_errors(pair):
    code, findings = _scan_json(pair["model.json"], "--weights", pair["text.h5"])
    assert code == 1 and [f["rule"] for f in findings] == ["unexpected-member"]
    assert "text.h5 is not an HDF5 file" in findings[0]["message"]
    code, findings = _scan_json(pair["model.json"], "--weights", pair["objects.weights.h5"])
    assert code == 1 and [f["rule"] for f in findings] == ["unexpected-member"]
    assert findings[0]["message"].endswith(
        "Python objects, not tensors (Keras never writes them): layers/dense/vars/0"
    )


def test_scan_clean_weights_pass_without_importing_keras(pair):
    out = run_without_keras("scan", str(pair["model.json"]), "--weights", str(pair["w.weights.h5"]))
    assert "1 passed, 0 failed" in out


def test_scan_checks_the_weights_file_of_a_pair_folder(pair, tmp_path):
    shutil.copy(pair["model.json"], tmp_path / "model.json")
    shutil.copy(pair["evil.h5"], tmp_path / "model.weights.h5")
    code, findings = _scan_json(tmp_path)
    assert code == 1 and [f["rule"] for f in findings] == ["pickle"]


def test_scan_weights_missing_file_is_unreadable(pair, tmp_path):
    result = invoke("scan", pair["model.json"], "--weights", tmp_path / "none.h5")
    assert result.exit_code == 2
    assert_one_line_error(result, "none.h5: cannot read the weights file (No such file or directory)")


def test_scan_weights_needs_exactly_one_source(pair):
    result = invoke("scan", pair["model.json"], pair["model.keras"], "--weights", pair["w.weights.h5"])
    assert_one_line_error(result, "--weights goes with exactly one SOURCE (2 given)")


# -- the weights reader ----------------------------------------------------------------------------


def test_a_keras3_weights_file_reads_like_the_keras_file_it_came_from(pair):
    from modelcfg_cli.weights.stored import read_weights, read_weights_file

    from_file = read_weights_file(str(pair["w.weights.h5"]), None)
    from_model = read_weights(str(pair["model.keras"]))
    assert sorted(from_file) == sorted(from_model) == ["encoder/hidden", "out"]
    for layer, arrays in from_model.items():
        assert all(np.array_equal(a, b) for a, b in zip(arrays, from_file[layer], strict=True))
