"""`diff --weights`: tensors matched by layer path and position, read in slices, on real Keras models
saved as .keras, folder and .h5, compared with what numpy says about the arrays Keras stored."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from modelcfg_cli.sources import read_document
from modelcfg_cli.weights.diff import compare_tensors, diff_weights
from modelcfg_cli.weights.stored import open_tensors
from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.model_edits import edit_h5, edit_keras_zip


def bump(array) -> None:
    array[1, 2] += 0.75


@pytest.fixture()
def one_element_changed(saved_models, tmp_path) -> dict:
    """The sequential model as .keras and .h5, each with dense_1's kernel[1, 2] raised by 0.75."""
    paths = saved_models["sequential"]
    keras_b, h5_b = tmp_path / "b.keras", tmp_path / "b.h5"
    edit_keras_zip(paths["keras"], keras_b, "layers/dense/vars/0", bump)
    shutil.copy(paths["h5"], h5_b)
    edit_h5(h5_b, "model_weights/dense_1/seq/dense_1/kernel", bump)
    return {"keras": (paths["keras"], str(keras_b)), "h5": (paths["h5"], str(h5_b))}


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_exactly_the_edited_tensor_with_its_max_difference(one_element_changed, fmt):
    path_a, path_b = one_element_changed[fmt]
    (change,) = diff_weights(read_document(path_a), read_document(path_b))
    assert (change.kind, change.layer, change.path, change.change) == ("weights", "dense_1", "0", "values")
    assert change.max_abs == pytest.approx(0.75, abs=1e-6)
    assert change.values_changed == 1
    assert change.nan == {"a": 0, "b": 0} and change.inf == {"a": 0, "b": 0}


def test_rel_l2_is_the_norm_of_the_difference_over_the_norm_of_a(saved_models, one_element_changed):
    path_a, path_b = one_element_changed["keras"]
    import keras

    kernel = keras.saving.load_model(path_a).get_layer("dense_1").get_weights()[0].astype(np.float64)
    edited = kernel.copy()
    edited[1, 2] = np.float32(np.float32(kernel[1, 2]) + np.float32(0.75))
    expected = np.linalg.norm(kernel - edited) / np.linalg.norm(kernel)
    (change,) = diff_weights(read_document(path_a), read_document(path_b))
    assert change.rel_l2 == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("fmt", ["keras", "h5", "dir"])
def test_same_weights_in_two_formats_are_equal(saved_models, fmt):
    paths = saved_models["rnn"]
    assert diff_weights(read_document(paths["keras"]), read_document(paths[fmt])) == []
    nested = saved_models["nested"]
    assert diff_weights(read_document(nested["h5"]), read_document(nested["dir"])) == []


def test_shape_change_and_added_and_removed_layers(tmp_path):
    import keras

    def build(units: int, extra: bool):
        layers = [keras.Input((4,)), keras.layers.Dense(units, name="body")]
        layers += [keras.layers.Dense(2, name="extra")] if extra else []
        return keras.Sequential([*layers, keras.layers.Dense(1, name="head")])

    build(3, False).save(tmp_path / "a.keras")
    build(5, True).save(tmp_path / "b.h5")
    changes = diff_weights(read_document(str(tmp_path / "a.keras")), read_document(str(tmp_path / "b.h5")))
    found = [(c.layer, c.path, c.change, c.old, c.new) for c in changes]
    assert found == [
        ("body", "0", "shape", {"shape": [4, 3], "dtype": "float32"}, {"shape": [4, 5], "dtype": "float32"}),
        ("body", "1", "shape", {"shape": [3], "dtype": "float32"}, {"shape": [5], "dtype": "float32"}),
        ("extra", "0", "added", None, {"shape": [5, 2], "dtype": "float32"}),
        ("extra", "1", "added", None, {"shape": [2], "dtype": "float32"}),
        ("head", "0", "shape", {"shape": [3, 1], "dtype": "float32"}, {"shape": [2, 1], "dtype": "float32"}),
    ]
    removed = diff_weights(read_document(str(tmp_path / "b.h5")), read_document(str(tmp_path / "a.keras")))
    assert [(c.layer, c.change) for c in removed if c.layer == "extra"] == [("extra", "removed")] * 2


def test_nan_and_inf_are_counted_and_kept_out_of_max_abs(saved_models, tmp_path):
    def poison(array):
        array[0, 0] = np.nan
        array[0, 1] = np.inf
        array[2, 2] += 0.5

    target = tmp_path / "nan.keras"
    edit_keras_zip(saved_models["sequential"]["keras"], target, "layers/dense/vars/0", poison)
    (change,) = diff_weights(read_document(saved_models["sequential"]["keras"]), read_document(str(target)))
    assert change.nan == {"a": 0, "b": 1} and change.inf == {"a": 0, "b": 1}
    assert change.values_changed == 3 and change.max_abs == pytest.approx(0.5, abs=1e-6)


def test_slices_add_up_to_the_whole_tensor(saved_models, tmp_path):
    target = tmp_path / "b.keras"

    def edit(array):
        array[:, :] *= 1.5
        array[-1, -1] = 7.0

    edit_keras_zip(saved_models["sequential"]["keras"], target, "layers/dense/vars/0", edit)
    with (
        open_tensors(saved_models["sequential"]["keras"]) as tensors_a,
        open_tensors(str(target)) as tensors_b,
    ):
        a, b = tensors_a[0], tensors_b[0]
        whole = compare_tensors(a, b)
        sliced = compare_tensors(a, b, chunk_bytes=40)  # 8 floats a row: one row per slice
        kernel_a, kernel_b = a.dataset[()].astype(np.float64), b.dataset[()].astype(np.float64)
    assert replace(whole, rel_l2=None) == replace(sliced, rel_l2=None)
    assert whole.rel_l2 == pytest.approx(sliced.rel_l2, rel=1e-12)
    assert whole.max_abs == pytest.approx(np.abs(kernel_a - kernel_b).max())
    assert whole.values_changed == int(np.count_nonzero(kernel_a != kernel_b))


# -- the command ----------------------------------------------------------------------------------


def test_command_text_json_markdown_and_stat(one_element_changed):
    path_a, path_b = one_element_changed["keras"]
    text = invoke("diff", path_a, path_b, "--weights")
    assert text.exit_code == 1
    assert "dense_1\n  weights 0 (vars/0): max_abs 0.75, rel_l2 " in text.stdout
    assert text.stdout.rstrip().endswith("differ: 1 changed tensor in 1 layer")
    data = json.loads(invoke("diff", path_a, path_b, "--weights", "--format", "json").stdout)
    (change,) = data["changes"]
    assert change["kind"] == "weights" and change["layer"] == "dense_1" and change["path"] == "0"
    assert change["max_abs"] == pytest.approx(0.75, abs=1e-6) and change["rel_l2"] > 0
    assert data["summary"]["weights"] == 1 and data["equal"] is False
    markdown = invoke("diff", path_a, path_b, "--weights", "--format", "markdown").stdout
    assert "| weights | 1 |" in markdown and "| weights | `weights 0 (vars/0)` |" in markdown
    assert invoke("diff", path_a, path_b, "--weights", "--stat").stdout.startswith("dense_1 | 1 weights\n")


def test_without_weights_the_diff_stays_config_only(one_element_changed):
    path_a, path_b = one_element_changed["h5"]
    result = invoke("diff", path_a, path_b)
    assert result.exit_code == 0 and "are equal" in result.stdout


def test_config_only_source_is_one_line_exit_2(saved_models):
    result = invoke(
        "diff", saved_models["sequential"]["keras"], saved_models["sequential"]["json"], "--weights"
    )
    assert_one_line_error(result, "sequential.json: stores no weights (a config-only source)")


def test_weights_diff_does_not_import_keras(one_element_changed):
    run_without_keras("diff", *one_element_changed["keras"], "--weights", exit_code=1)  # they differ


def test_a_renamed_layers_tensors_meet_their_partners(tmp_path):
    rules = tmp_path / "rename.yaml"
    rules.write_text("rules:\n  - match: {name: conv1}\n    rename: stem\n")
    renamed = tmp_path / "renamed.keras"
    assert (
        invoke(
            "clone", "examples/classifier.keras", "-o", renamed, "--keep-weights", "--rules", rules
        ).exit_code
        == 0
    )
    result = invoke("diff", "examples/classifier.keras", renamed, "--weights", "--format", "json")
    assert result.exit_code == 1
    kinds = [change["kind"] for change in json.loads(result.stdout)["changes"]]
    assert kinds == ["renamed"]  # no tensor of conv1 removed and of stem added


def test_renames_apply_along_the_path():
    from modelcfg_cli.weights.diff import in_b

    renamed = {"encoder": "enc", "encoder/dense": "proj", "head": "out"}
    assert in_b("encoder/dense", renamed) == "enc/proj"
    assert in_b("encoder/other", renamed) == "enc/other"
    assert in_b("head", renamed) == "out" and in_b("tail", renamed) == "tail"
