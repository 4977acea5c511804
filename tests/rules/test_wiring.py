"""rules/wiring.py: references between layers, renamed, bypassed and rewired, in both node formats."""

from __future__ import annotations

import json

import pytest

import modelcfg_cli.rules.wiring as wiring
from modelcfg_cli.document import layer_name, model_layers
from tests.legacy import keras2_functional


@pytest.fixture
def branches(saved_models) -> dict:
    """The Keras 3 `branches` model: left/right inputs, a shared Dense, a side Dense, a concat, a head."""
    return json.loads(open(saved_models["branches"]["json"]).read())


def _layer(model: dict, name: str) -> dict:
    return next(entry for entry in model_layers(model) if layer_name(entry) == name)


def _inbound(model: dict, name: str) -> list[str]:
    return [ref[0] for ref in wiring.references(_layer(model, name).get("inbound_nodes"))]


def test_consumers_of_a_shared_layer(branches):
    assert [layer_name(e) for e in wiring.consumers(branches, "shared")] == ["concat"]
    assert [layer_name(e) for e in wiring.consumers(branches, "left")] == ["shared", "side"]


def test_rename_references_reaches_nodes_and_model_outputs(branches):
    wiring.rename_references(branches, "head", "logits")
    wiring.rename_references(branches, "shared", "trunk")
    assert _inbound(branches, "concat") == ["trunk", "trunk", "side"]
    assert [ref[0] for ref in wiring.references(branches["config"]["output_layers"])] == ["logits"]


def test_bypass_feeds_consumers_the_removed_layers_input(branches):
    side = _layer(branches, "side")
    wiring.bypass(branches, side, "side")
    assert "side" not in [layer_name(e) for e in model_layers(branches)]
    assert _inbound(branches, "concat") == ["shared", "shared", "left"]


def test_bypass_refuses_a_layer_with_two_inputs(branches):
    with pytest.raises(ValueError, match="concat"):
        wiring.bypass(branches, _layer(branches, "concat"), "concat")


def test_insert_after_and_before_rewire_both_ways(branches):
    after = {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.1}}
    wiring.insert_after(branches, _layer(branches, "side"), after, "side")
    assert _inbound(branches, "drop") == ["side"]
    assert _inbound(branches, "concat") == ["shared", "shared", "drop"]
    before = {"class_name": "Dropout", "config": {"name": "pre", "rate": 0.1}}
    wiring.insert_before(branches, _layer(branches, "head"), before, "head")
    assert _inbound(branches, "pre") == ["concat"] and _inbound(branches, "head") == ["pre"]


def test_keras3_nodes_hold_keras_tensors_legacy_nodes_lists(branches):
    assert not wiring.uses_legacy_nodes(branches)
    assert all(t["class_name"] == "__keras_tensor__" for t in wiring.tensors(_layer(branches, "head")))
    legacy = keras2_functional()
    assert wiring.uses_legacy_nodes(legacy)
