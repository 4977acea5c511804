"""Reading weights by layer path (`.keras`, folder, legacy `.h5`) and assigning them into a clone."""

from __future__ import annotations

import copy
import zipfile

import keras
import numpy as np
import pytest

from modelcfg_cli.document import document_from_payload
from modelcfg_cli.keras_side.transfer import transfer_weights
from modelcfg_cli.legacy.upgrade import upgrade_envelope
from modelcfg_cli.weights.stored import read_weights
from tests import legacy_fixtures as fx
from tests.legacy import write_h5


def build_wrapped_nested() -> keras.Model:
    """Bidirectional, TimeDistributed, a nested Sequential and BatchNormalization, with random weights."""
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="in_dense")], name="inner")
    x = keras.Input((5, 4), name="x")
    y = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True), name="bi")(x)
    y = keras.layers.TimeDistributed(keras.layers.Dense(4), name="td")(y)
    y = keras.layers.Flatten(name="flat")(y)
    y = keras.layers.Dense(4, name="d")(y)
    y = inner(y)
    y = keras.layers.BatchNormalization(name="bn")(y)
    model = keras.Model(x, y, name="wrapped")
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.weights])
    return model


@pytest.fixture(scope="module")
def saved_wrapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weights")
    model = build_wrapped_nested()
    path = folder / "wrapped.keras"
    model.save(path)
    return model, path


def expected_arrays(model) -> dict[str, list[np.ndarray]]:
    return {
        "bi": model.get_layer("bi").get_weights(),
        "td": model.get_layer("td").get_weights(),
        "d": model.get_layer("d").get_weights(),
        "inner/in_dense": model.get_layer("inner").get_layer("in_dense").get_weights(),
        "bn": model.get_layer("bn").get_weights(),
    }


def assert_same(found: dict, expected: dict) -> None:
    assert sorted(found) == sorted(expected)
    for path, arrays in expected.items():
        assert len(found[path]) == len(arrays), path
        for got, want in zip(found[path], arrays, strict=True):
            np.testing.assert_array_equal(got, want)


def test_keras_zip_weights_by_layer_path(saved_wrapped):
    model, path = saved_wrapped
    assert_same(read_weights(str(path)), expected_arrays(model))


def test_keras_folder_weights(saved_wrapped, tmp_path):
    model, path = saved_wrapped
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "folder")
    assert_same(read_weights(str(tmp_path / "folder")), expected_arrays(model))


def test_legacy_h5_split_weight_names(tmp_path):
    path = tmp_path / "split.h5"
    expected = fx.write_split_names_h5(path, np.random.default_rng(2))
    assert_same(read_weights(str(path)), expected)


def test_json_source_has_no_weights(legacy_dir):
    assert read_weights(legacy_dir["keras2_json"]) == {}


def test_transfer_into_a_clone_with_one_changed_layer(saved_wrapped):
    model, path = saved_wrapped
    config = model.get_config()
    layers = {layer["name"]: layer for layer in config["layers"]}
    inner_dense = layers["inner"]["config"]["layers"][1]
    inner_dense["config"]["units"] = 5
    for entry in (inner_dense, layers["inner"], layers["bn"]):
        entry.pop("build_config", None)
    clone = keras.Model.from_config(copy.deepcopy(config))
    report = transfer_weights(clone, read_weights(str(path)))
    assert sorted(report.kept) == ["bi", "d", "td"]
    reasons = dict(report.reinitialised)
    assert (
        reasons["inner/in_dense"] == "shape changed: [4x3, 3] -> [4x5, 5]"
        and "shape changed" in reasons["bn"]
    )
    assert report.dropped == []
    for name in ("bi", "td", "d"):
        for got, want in zip(
            clone.get_layer(name).get_weights(), model.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(got, want)
    assert clone.get_layer("inner").get_layer("in_dense").get_weights()[0].shape == (4, 5)


def test_transfer_reports_new_and_dropped_layers():
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, name="kept"), keras.layers.Dense(1, name="new")]
    )
    source = {"kept": [np.ones((3, 2)), np.zeros(2)], "gone": [np.ones(1)]}
    report = transfer_weights(model, source)
    assert report.kept == ["kept"] and report.dropped == [("gone", "1 tensor not in the clone")]
    assert report.reinitialised == [("new", "new layer (not in the source)")]
    assert report.lines()[0] == "weights: kept 2 of 3 tensors in 1 layer; 1 re-initialised, 1 dropped"
    np.testing.assert_array_equal(model.get_layer("kept").get_weights()[0], np.ones((3, 2)))


def upgraded(payload: dict):
    doc = document_from_payload(copy.deepcopy(payload), "fixture")
    envelope, _ = upgrade_envelope(doc.envelope, doc.metadata)
    return keras.saving.deserialize_keras_object(envelope)


def test_keras1_h5_weights_into_upgraded_model(tmp_path):
    rng = np.random.default_rng(3)
    weights = fx.keras1_convnet_weights(rng)
    path = tmp_path / "k1.h5"
    write_h5(path, fx.keras1_convnet(), weights)
    model = upgraded(fx.keras1_convnet())
    report = transfer_weights(model, read_weights(str(path)))
    assert sorted(report.kept) == ["convolution2d_1", "dense_1"]
    for name in report.kept:
        for got, (_, want) in zip(model.get_layer(name).get_weights(), weights[name], strict=True):
            np.testing.assert_array_equal(got, want)


def test_keras1_per_gate_lstm_weights_are_joined(tmp_path):
    rng = np.random.default_rng(4)
    forward = fx.keras1_lstm_gates(rng, "forward_lstm_1", 3, 4)
    backward = fx.keras1_lstm_gates(rng, "backward_lstm_1", 3, 4)
    dense = [("dense_1_W:0", np.ones((8, 2), "float32")), ("dense_1_b:0", np.zeros(2, "float32"))]
    path = tmp_path / "bilstm.h5"
    write_h5(path, fx.keras1_bilstm(), {"bidirectional_1": forward + backward, "dense_1": dense})
    model = upgraded(fx.keras1_bilstm())
    report = transfer_weights(model, read_weights(str(path)))
    assert sorted(report.kept) == ["bidirectional_1", "dense_1"]
    stored = {name.split("_")[-2] + name.split("_")[-1][0]: array for name, array in forward}
    kernel, recurrent, bias = model.get_layer("bidirectional_1").forward_layer.get_weights()
    np.testing.assert_array_equal(kernel, np.concatenate([stored[f"W{g}"] for g in "ifco"], axis=-1))
    np.testing.assert_array_equal(recurrent, np.concatenate([stored[f"U{g}"] for g in "ifco"], axis=-1))
    np.testing.assert_array_equal(bias, np.concatenate([stored[f"b{g}"] for g in "ifco"], axis=-1))
