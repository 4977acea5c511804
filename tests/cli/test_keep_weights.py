"""`clone --keep-weights`, the automatic legacy upgrade, `--no-upgrade`, `dump --upgrade`."""

from __future__ import annotations

import json
import warnings

import keras
import numpy as np
import pytest

from tests import legacy_fixtures as fx
from tests.helpers import invoke, run_without_keras
from tests.legacy import write_h5


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.load_model(path, compile=False)


@pytest.fixture(scope="module")
def rnn_keras(tmp_path_factory):
    """A saved `.keras` with a Bidirectional LSTM, a TimeDistributed Dense and two Dense layers."""
    x = keras.Input((5, 3), name="x")
    y = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True), name="bi")(x)
    y = keras.layers.TimeDistributed(keras.layers.Dense(4), name="td")(y)
    y = keras.layers.Flatten(name="flat")(y)
    y = keras.layers.Dense(4, name="d")(y)
    y = keras.layers.Dense(2, name="out")(y)
    model = keras.Model(x, y)
    rng = np.random.default_rng(5)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.weights])
    path = tmp_path_factory.mktemp("keep") / "rnn.keras"
    model.save(path)
    return model, path


def test_keep_weights_after_a_rule_that_changes_one_layer(rnn_keras, tmp_path):
    model, path = rnn_keras
    out = tmp_path / "clone.keras"
    result = invoke("clone", path, "-o", out, "--set", "layers.out.units=3", "--keep-weights")
    assert result.exit_code == 0, result.stderr
    assert "weights: kept 10 of 12 tensors in 3 layers; 1 re-initialised, 0 dropped" in result.stdout
    assert "re-initialised out: shape changed: [4x2, 2] -> [4x3, 3]" in result.stdout
    clone = load(out)
    for name in ("bi", "td", "d"):
        for got, want in zip(
            clone.get_layer(name).get_weights(), model.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(got, want)
    assert clone.get_layer("out").get_weights()[0].shape == (4, 3)


def test_without_keep_weights_the_clone_is_fresh(rnn_keras, tmp_path):
    model, path = rnn_keras
    out = tmp_path / "fresh.keras"
    assert invoke("clone", path, "-o", out).exit_code == 0
    fresh = load(out).get_layer("d").get_weights()[0]
    assert not np.array_equal(fresh, model.get_layer("d").get_weights()[0])


@pytest.fixture
def keras1_h5(tmp_path):
    rng = np.random.default_rng(6)
    weights = fx.keras1_convnet_weights(rng)
    path = tmp_path / "keras1.h5"
    write_h5(path, fx.keras1_convnet(), weights)
    return path, weights


def test_legacy_h5_is_upgraded_and_keeps_its_weights(keras1_h5, tmp_path):
    path, weights = keras1_h5
    out = tmp_path / "upgraded.keras"
    result = invoke("clone", path, "-o", out, "--keep-weights")
    assert result.exit_code == 0, result.stderr
    assert "builtin:keras2" in result.stdout
    assert "weights: kept 4 of 4 tensors in 2 layers\n" in result.stdout
    clone = load(out)
    for name in ("convolution2d_1", "dense_1"):
        for got, (_, want) in zip(clone.get_layer(name).get_weights(), weights[name], strict=True):
            np.testing.assert_array_equal(got, want)


def test_no_upgrade_leaves_the_legacy_config_to_keras(keras1_h5, tmp_path):
    path, _ = keras1_h5
    result = invoke("clone", path, "-o", tmp_path / "x.keras", "--no-upgrade")
    assert result.exit_code != 0 and not (tmp_path / "x.keras").exists()
    explicit = invoke("clone", path, "-o", tmp_path / "y.keras", "--no-upgrade", "--rules", "builtin:keras2")
    assert explicit.exit_code == 0, explicit.stderr


def test_custom_class_and_lambda_refused_in_one_line(tmp_path):
    source = tmp_path / "custom.json"
    source.write_text(json.dumps(fx.with_custom_and_lambda()))
    lambda_refusal = invoke("clone", source, "-o", tmp_path / "a.keras")
    assert lambda_refusal.exit_code != 0
    line = lambda_refusal.stderr.strip().splitlines()[-1]
    assert "Lambda" in line and "--unsafe" in line and "another Python version" in line
    config = fx.with_custom_and_lambda()
    del config["config"]["layers"][0]
    config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, 4]
    source.write_text(json.dumps(config))
    custom = invoke("clone", source, "-o", tmp_path / "b.keras")
    assert custom.exit_code != 0
    assert "'ClusteringLayer'" in custom.stderr and "--import MODULE" in custom.stderr


def test_dump_upgrade_imports_no_keras(tmp_path):
    source = tmp_path / "merge.json"
    source.write_text(json.dumps(fx.keras1_merge_model()))
    config = json.loads(run_without_keras("dump", "--upgrade", source).rsplit("EXIT:", 1)[0])
    merge = config["layers"][2]
    assert merge["class_name"] == "Concatenate" and merge["module"] == "keras.layers"
    assert "args" in merge["inbound_nodes"][0]
