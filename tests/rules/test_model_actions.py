"""rules/model_actions.py: the model-level settings `name`, `dtype_policy` and `input_shape`."""

from __future__ import annotations

import json

import pytest

from modelcfg_cli.errors import RulesError
from modelcfg_cli.rules.model_actions import apply_model_settings


@pytest.fixture
def nested(saved_models) -> dict:
    return json.loads(open(saved_models["nested"]["json"]).read())


@pytest.fixture
def branches(saved_models) -> dict:
    return json.loads(open(saved_models["branches"]["json"]).read())


def _policies(value: object, found: list) -> list:
    if isinstance(value, dict):
        config = value.get("config")
        if "class_name" in value and isinstance(config, dict) and "dtype" in config:
            found.append((value["class_name"], config["dtype"]))
        for key, item in value.items():
            if key != "inbound_nodes":
                _policies(item, found)
    elif isinstance(value, list):
        for item in value:
            _policies(item, found)
    return found


def test_dtype_policy_reaches_nested_layers_but_not_inputs(nested):
    notes = apply_model_settings(nested, {"dtype_policy": "mixed_float16"})
    found = _policies(nested, [])
    layers = [dtype for class_name, dtype in found if class_name != "InputLayer"]
    assert layers and all(
        dtype["config"]["name"] == "mixed_float16" for dtype in layers if isinstance(dtype, dict)
    )
    assert all(dtype == "float32" for class_name, dtype in found if class_name == "InputLayer")
    assert notes[0].startswith("dtype_policy: mixed_float16 on ")


def test_name_and_input_shape(branches):
    notes = apply_model_settings(branches, {"name": "renamed", "input_shape": {"left": [4], "right": [4]}})
    assert branches["config"]["name"] == "renamed" and notes[0] == "name: branches -> renamed"
    shapes = {e["config"]["name"]: e["config"].get("batch_shape") for e in branches["config"]["layers"]}
    assert shapes["left"] == [None, 4] and shapes["right"] == [None, 4]
    assert all("build_config" not in entry for entry in branches["config"]["layers"])


def test_input_shape_errors_name_the_inputs(branches):
    with pytest.raises(RulesError, match="the model has 2 inputs"):
        apply_model_settings(branches, {"input_shape": [4]})
    with pytest.raises(RulesError, match="no input named 'nope' \\(inputs: left, right\\)"):
        apply_model_settings(branches, {"input_shape": {"nope": [4]}})
