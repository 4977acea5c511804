"""The legacy upgrade: each rewrite on a small hand-written Keras 1/2/tf.keras config, reloaded in Keras 3."""

from __future__ import annotations

import copy
import json
import warnings

import keras
import pytest

from modelcfg_cli.document import ModelDocument, document_from_payload
from modelcfg_cli.legacy.upgrade import needs_upgrade, upgrade_envelope
from modelcfg_cli.sources import read_document
from tests import legacy_fixtures as fx
from tests.legacy import keras1_sequential, keras2_functional


def upgraded_model(payload: dict):
    """The Keras 3 model built from the upgraded config, and the upgrade's notes."""
    doc = document_from_payload(copy.deepcopy(payload), "fixture")
    envelope, notes = upgrade_envelope(doc.envelope, doc.metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.saving.deserialize_keras_object(copy.deepcopy(envelope))
    return model, notes, envelope


def layer_config(model, name: str) -> dict:
    return model.get_layer(name).get_config()


def test_keras1_convnet_names_become_keras3_arguments():
    model, _, envelope = upgraded_model(fx.keras1_convnet())
    assert envelope["class_name"] == "Sequential" and isinstance(envelope["config"], dict)
    conv = layer_config(model, "convolution2d_1")
    assert (conv["filters"], conv["kernel_size"], conv["padding"]) == (2, (3, 3), "same")
    assert conv["data_format"] == "channels_last" and conv["kernel_regularizer"]["config"]["l2"] == 0.01
    assert layer_config(model, "dropout_1")["rate"] == 0.25
    assert layer_config(model, "dense_1")["units"] == 3
    assert model.input_shape == (None, 6, 6, 1)  # batch_input_shape became one InputLayer, counted once
    assert model.output_shape == (None, 3)


def test_keras1_sequential_from_the_shared_legacy_module():
    model, _, _ = upgraded_model(keras1_sequential())
    assert [layer.name for layer in model.layers] == ["dense_1", "dropout_1", "dense_2"]
    assert model.input_shape == (None, 6) and layer_config(model, "dense_1")["units"] == 4


def test_keras1_bidirectional_lstm_and_recurrent_names():
    model, _, envelope = upgraded_model(fx.keras1_bilstm())
    inner = envelope["config"]["layers"][1]["config"]["layer"]
    assert inner["module"] == "keras.layers" and inner["config"]["units"] == 4
    lstm = model.get_layer("bidirectional_1").forward_layer.get_config()
    assert lstm["recurrent_activation"] == "hard_sigmoid" and lstm["unit_forget_bias"] is True
    assert model.output_shape == (None, 2)


def test_merge_concat_and_model_class():
    model, notes, envelope = upgraded_model(fx.keras1_merge_model())
    assert envelope["class_name"] == "Functional" and envelope["module"] == "keras.src.models.functional"
    assert type(model.get_layer("merge_1")).__name__ == "Concatenate"
    assert model.output_shape == (None, 3)
    assert not any("mode_type" in note for note in notes)


def test_tf_keras_policies_removed_kwargs_and_initial_state():
    model, notes, envelope = upgraded_model(fx.tf_keras_functional())
    assert model.get_layer("lstm").dtype_policy.name == "mixed_float16"
    assert "time_major" not in layer_config(model, "lstm")
    assert "groups" not in json.dumps(envelope["config"]["layers"][5]["config"])
    decoder = envelope["config"]["layers"][3]["inbound_nodes"][0]
    assert [t["config"]["keras_history"] for t in decoder["kwargs"]["initial_state"]] == [
        ["lstm", 0, 1],
        ["lstm", 0, 2],
    ]
    bidirectional = model.get_layer("bidirectional")
    assert bidirectional.forward_layer.go_backwards and not bidirectional.backward_layer.go_backwards
    assert layer_config(model, "bidirectional")["layer"]["config"]["reset_after"] is False
    assert notes == []


def test_keras2_functional_double_encoded_json(legacy_dir):
    doc = read_document(legacy_dir["keras2_double"])
    assert needs_upgrade(doc)
    model, _, _ = upgraded_model(doc.full() | {"keras_version": "2.3.1"})
    assert model.output_shape == (None, 2)
    assert upgraded_model(keras2_functional())[0].count_params() == model.count_params()


def test_tf213_keras_zip_module(tmp_path):
    path = tmp_path / "tf213.keras"
    fx.write_tf213_keras(path)
    doc = read_document(str(path))
    assert needs_upgrade(doc)
    envelope, _ = upgrade_envelope(doc.envelope, doc.metadata)
    assert envelope["module"] == "keras.src.models.functional"
    model = keras.saving.deserialize_keras_object(copy.deepcopy(envelope))
    assert model.input_shape == (None, 4)


def test_custom_class_and_lambda_are_named_not_converted():
    envelope, notes = upgrade_envelope(fx.with_custom_and_lambda(), {})
    layers = envelope["config"]["layers"]
    assert layers[1]["config"]["function"]["class_name"] == "__lambda__"
    assert "module" not in layers[2]
    assert any("lambda_1: Lambda" in note and "--unsafe" in note for note in notes)
    assert any("ClusteringLayer" in note and "--import MODULE" in note for note in notes)


def test_subclassed_model_is_reported():
    envelope, notes = upgrade_envelope({"module": None, "class_name": "VAE", "config": {}}, {})
    assert envelope["class_name"] == "VAE" and "VAE" in notes[0]


@pytest.mark.parametrize(
    ("metadata", "envelope", "expected"),
    [
        ({"keras_version": "2.2.4-tf"}, {"class_name": "Model", "config": {"layers": []}}, True),
        ({"keras_version": "3.12.2"}, {"module": "keras", "class_name": "Sequential", "config": {}}, False),
        ({}, {"class_name": "Sequential", "config": []}, True),
        ({}, {"module": "keras", "class_name": "Sequential", "config": {"layers": []}}, False),
    ],
)
def test_needs_upgrade(metadata, envelope, expected):
    assert needs_upgrade(ModelDocument(envelope, metadata, "x")) is expected


def test_upgrade_is_idempotent_and_leaves_input_alone():
    source = fx.tf_keras_functional()
    before = copy.deepcopy(source)
    once, _ = upgrade_envelope(source, {})
    twice, _ = upgrade_envelope(once, {})
    assert source == before and once == twice


def test_malformed_layers_are_left_for_validate():
    """Entries that are not layers (a list as class_name, a number as config) are not rewritten."""
    from modelcfg_cli.document import document_from_payload
    from modelcfg_cli.legacy.upgrade import upgrade_envelope, upgraded

    payload = {"layers": [{"class_name": [], "config": {}}, {"class_name": "Dense", "config": 3}]}
    doc = document_from_payload(payload, "x.json")
    assert upgraded(doc).envelope["config"]["layers"] == payload["layers"]
    envelope, _ = upgrade_envelope(doc.envelope, doc.metadata)
    assert envelope["config"]["layers"][:2] == payload["layers"]


def test_a_config_whose_layers_is_not_a_list_does_not_crash_the_upgrade_check():
    from modelcfg_cli.document import document_from_payload
    from modelcfg_cli.legacy.upgrade import needs_upgrade

    doc = document_from_payload({"class_name": "Sequential", "config": {"name": "s", "layers": None}}, "x")
    assert needs_upgrade(doc) in (True, False)  # it used to raise TypeError
