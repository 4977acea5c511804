"""Shorthand Keras takes is valid, shorthand Keras refuses is not: `tests/data/shorthand_model.json` is a
config written by hand (int for tuple, activation aliases, initializer/regularizer/constraint names, old
`{class_name, config}` objects, None, dtype policy names and objects), checked against Keras itself."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import pytest

from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.findings import ERROR
from tests.helpers import invoke

FIXTURE = Path(__file__).parent / "data" / "shorthand_model.json"

# layer -> fields written in a form Keras expands or renames when it saves the model
SHORTHAND = {
    "pad": ["padding"],
    "conv": ["kernel_size", "strides", "dilation_rate", "padding", "activation", "kernel_initializer"],
    "bn": ["beta_initializer", "gamma_initializer", "moving_variance_initializer"],
    "crop": ["cropping"],
    "pool": ["pool_size", "strides"],
    "up": ["size"],
    "avg": ["strides"],
    "pad2": ["padding"],
    "fc": ["kernel_initializer", "kernel_regularizer", "kernel_constraint", "dtype"],
    "embed": ["embeddings_initializer", "embeddings_regularizer"],
    "conv1d": ["kernel_size", "strides", "activation"],
    "lstm": ["kernel_initializer", "recurrent_initializer"],
    "out": ["bias_initializer"],
}


def fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def keras_load(payload: dict):
    import keras

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.models.model_from_json(json.dumps(payload))


def layer_config(payload: dict, name: str) -> dict:
    return next(item["config"] for item in payload["config"]["layers"] if item["name"] == name)


@pytest.fixture(scope="module")
def keras_saved() -> dict:
    """The fixture as Keras builds and saves it (its canonical forms)."""
    return json.loads(keras_load(fixture()).to_json())


def test_keras_builds_the_fixture_and_computes():
    import numpy as np

    model = keras_load(fixture())
    out = model.predict([np.zeros((2, 16, 16, 3)), np.zeros((2, 6), "int32")], verbose=0)
    assert out.shape == (2, 3)


@pytest.mark.parametrize(("layer", "field"), [(k, f) for k, fields in SHORTHAND.items() for f in fields])
def test_fixture_field_is_shorthand_keras_expands(keras_saved, layer, field):
    written = layer_config(fixture(), layer)[field]
    assert layer_config(keras_saved, layer)[field] != written


def test_validate_says_the_fixture_is_valid():
    result = invoke("validate", FIXTURE)
    assert result.exit_code == 0, result.stdout
    assert "valid (0 errors, 0 warnings)" in result.stdout


def test_keras_canonical_form_of_the_fixture_is_valid(keras_saved):
    doc = document_from_payload(copy.deepcopy(keras_saved), "saved")
    assert [f.line() for f in validate_document(doc, strict=True)] == []


@pytest.mark.parametrize(
    ("layer", "field", "value"),
    [
        ("pad", "padding", 1.5),
        ("pad", "padding", [1, 2, 3]),
        ("crop", "cropping", -1),
        ("conv", "kernel_size", 0),
        ("pool", "strides", [2, 2, 2]),
        ("conv", "activation", "swishh"),
        ("conv", "kernel_initializer", "he_norm"),
        ("bn", "moving_variance_initializer", {"class_name": "onez", "config": {}}),
        ("embed", "embeddings_regularizer", "l3"),
        ("fc", "dtype", "mixed_float33"),
        ("fc", "dtype", "int8_from_float33"),
    ],
)
def test_forms_keras_refuses_are_errors(tmp_path, layer, field, value):
    payload = fixture()
    layer_config(payload, layer)[field] = value
    with pytest.raises(Exception):  # noqa: B017 - Keras raises several kinds
        keras_load(payload)
    doc = document_from_payload(copy.deepcopy(payload), "bad")
    errors = [f for f in validate_document(doc) if f.severity == ERROR]
    assert [(f.layer, f.pointer.rsplit("/", 1)[-1]) for f in errors] == [(layer, field)]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload))
    result = invoke("validate", path)
    assert result.exit_code == 1 and f"{layer} (" in result.stdout and field in result.stdout
