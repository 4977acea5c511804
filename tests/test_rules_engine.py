"""The rules engine on real model configs: every selector and action, nested models, both node formats."""

from __future__ import annotations

import json

import pytest

from modelcfg_cli import apply_rules
from modelcfg_cli.checks.graph import check_graph
from modelcfg_cli.document import document_from_payload, io_edges
from modelcfg_cli.errors import RulesError
from modelcfg_cli.rules.wiring import references
from tests.legacy import keras2_functional


def envelope(saved_models, name: str) -> dict:
    with open(saved_models[name]["json"]) as handle:
        return json.load(handle)


def run(config: dict, *rules: dict, model: dict | None = None):
    data = {"rules": list(rules), **({"model": model} if model else {})}
    return apply_rules(config, data)


def layers(config: dict) -> dict:
    """path -> layer entry for every layer of a rewritten envelope."""
    doc = document_from_payload(config, "test")
    return {ref.path_str: ref.entry for ref in doc.layers()}


def matched(config: dict, match: dict) -> list[str]:
    _, report = run(config, {"match": match, "freeze": True})
    return list(report.results[0].matched)


def graph_ok(config: dict) -> None:
    doc = document_from_payload(config, "test")
    assert [f.line() for f in check_graph(doc) if f.severity == "error"] == []


# selectors


@pytest.mark.parametrize(
    ("model", "match", "expected"),
    [
        ("sequential", {}, ["dense_1", "dropout_1", "dense_2"]),
        ("sequential", {"class_name": "Dense"}, ["dense_1", "dense_2"]),
        ("sequential", {"class_name": ["Dropout", "Dense"]}, ["dense_1", "dropout_1", "dense_2"]),
        ("sequential", {"name": "dense_*"}, ["dense_1", "dense_2"]),
        ("sequential", {"name_regex": r"^d.*_2$"}, ["dense_2"]),
        ("sequential", {"where": {"units": {"gt": 4}}}, ["dense_1"]),
        ("sequential", {"where": {"units": {"le": 4}}}, ["dense_2"]),
        ("sequential", {"where": {"units": 8}}, ["dense_1"]),
        ("sequential", {"where": {"activation": {"ne": "relu"}, "units": {"exists": True}}}, ["dense_2"]),
        ("sequential", {"where": {"activation": {"in": ["relu", "tanh"]}}}, ["dense_1"]),
        ("sequential", {"where": {"activation": {"regex": "^soft"}}}, ["dense_2"]),
        ("sequential", {"where": {"rate": {"exists": False}}, "class_name": "Dense"}, ["dense_1", "dense_2"]),
        ("sequential", {"where": {"kernel_initializer.class_name": "GlorotUniform"}}, ["dense_1", "dense_2"]),
        ("sequential", {"where": {"units": {"ge": 4, "lt": 8}}}, ["dense_2"]),
        ("nested", {"path": "inner_block/*"}, ["inner_block/inner_in", "inner_block/inner_dense"]),
        ("nested", {"class_name": "Dense"}, ["encoder/enc_dense", "inner_block/inner_dense", "score"]),
        ("nested", {"class_name": ["Sequential", "Functional"]}, ["encoder", "inner_block"]),
        ("rnn", {"class_name": "LSTM"}, ["bilstm/forward_lstm", "bilstm/backward_lstm", "lstm_2"]),
    ],
)
def test_selectors(saved_models, model, match, expected):
    found = matched(envelope(saved_models, model), match)
    if match == {}:
        found = [name for name in found if not name.startswith("input")]
    assert found == expected


def test_empty_match_selects_every_layer_including_nested(saved_models):
    config = envelope(saved_models, "nested")
    assert len(matched(config, {})) == len(layers(config)) - 0 == 8


# actions


def test_set_dotted_and_unset(saved_models):
    config = envelope(saved_models, "sequential")
    new, _ = run(
        config,
        {"match": {"name": "dense_1"}, "set": {"units": 10, "kernel_initializer.config.seed": 5}},
        {"match": {"name": "dense_2"}, "unset": ["bias_constraint", "not_there"]},
    )
    dense_1, dense_2 = layers(new)["dense_1"]["config"], layers(new)["dense_2"]["config"]
    assert dense_1["units"] == 10 and dense_1["kernel_initializer"]["config"]["seed"] == 5
    assert "bias_constraint" not in dense_2
    assert layers(config)["dense_1"]["config"]["units"] == 8, "the input is never modified"


def test_set_everywhere_reaches_every_depth(saved_models):
    new, report = run(envelope(saved_models, "rnn"), {"match": {}, "set_everywhere": {"seed": 1337}})
    seeds = []

    def collect(value):
        if isinstance(value, dict):
            seeds.extend(v for k, v in value.items() if k == "seed")
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(new)
    assert seeds and set(seeds) == {1337}
    assert len(report.results[0].matched) == 8  # 5 layers and the 3 inside the two wrappers


def test_rename_updates_every_reference(saved_models):
    new, _ = run(envelope(saved_models, "branches"), {"match": {"name": "shared"}, "rename": "{name}_v2"})
    refs = [ref[0] for ref in references(new)]
    assert "shared" not in refs and refs.count("shared_v2") == 2
    assert layers(new)["shared_v2"]["config"]["name"] == "shared_v2"
    graph_ok(new)


def test_rename_inputs_and_outputs_and_nested(saved_models):
    new, _ = run(
        envelope(saved_models, "nested"),
        {"match": {"name": "features"}, "rename": "x"},
        {"match": {"name": "score"}, "rename": "y"},
        {"match": {"path": "inner_block/inner_dense"}, "rename": "deep"},
    )
    config = new["config"]
    assert [e.layer for e in io_edges(config["input_layers"])] == ["x"]
    assert [e.layer for e in io_edges(config["output_layers"])] == ["y"]
    inner = layers(new)["inner_block"]["config"]
    assert [e.layer for e in io_edges(inner["output_layers"])] == ["deep"]
    graph_ok(new)


def test_rename_collision_is_an_error(saved_models):
    with pytest.raises(RulesError, match="already taken"):
        run(envelope(saved_models, "sequential"), {"match": {"name": "dense_1"}, "rename": "dense_2"})


def test_remove_bypasses_functional_layer(saved_models):
    new, _ = run(envelope(saved_models, "rnn"), {"match": {"name": "lstm_2"}, "remove": True})
    tags = layers(new)["tags"]
    history = tags["inbound_nodes"][0]["args"][0]["config"]
    assert history["keras_history"][0] == "bilstm" and history["shape"] == [None, 10, 12]
    assert "lstm_2" not in layers(new) and "build_config" not in tags
    graph_ok(new)


def test_remove_in_sequential_and_multi_input_refused(saved_models):
    new, _ = run(envelope(saved_models, "sequential"), {"match": {"class_name": "Dropout"}, "remove": True})
    assert list(layers(new)) == ["dense_1", "dense_2"] or "dropout_1" not in layers(new)
    with pytest.raises(RulesError, match="3 inputs"):
        run(envelope(saved_models, "branches"), {"match": {"name": "concat"}, "remove": True})
    with pytest.raises(RulesError, match="called 2 times"):
        run(envelope(saved_models, "branches"), {"match": {"name": "shared"}, "remove": True})


def test_insert_after_and_before(saved_models):
    new, _ = run(
        envelope(saved_models, "branches"),
        {"match": {"name": "side"}, "insert_after": {"class_name": "Dropout", "config": {"rate": 0.5}}},
        {"match": {"name": "head"}, "insert_before": {"class_name": "LayerNormalization", "name": "norm"}},
    )
    found = layers(new)
    assert found["side_dropout"]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["side", 0, 0]
    concat_inputs = [ref[0] for ref in references(found["concat"]["inbound_nodes"])]
    assert concat_inputs == ["shared", "shared", "side_dropout"]
    assert [ref[0] for ref in references(found["head"]["inbound_nodes"])] == ["norm"]
    assert [ref[0] for ref in references(found["norm"]["inbound_nodes"])] == ["concat"]
    graph_ok(new)


def test_insert_after_output_layer_moves_output(saved_models):
    new, _ = run(
        envelope(saved_models, "nested"),
        {"match": {"name": "score"}, "insert_after": {"class_name": "Softmax"}},
    )
    assert [e.layer for e in io_edges(new["config"]["output_layers"])] == ["score_softmax"]
    graph_ok(new)


def test_wrap_and_unwrap_round_trip(saved_models):
    config = envelope(saved_models, "rnn")
    wrapped, _ = run(config, {"match": {"class_name": "LSTM"}, "wrap": {"class_name": "Bidirectional"}})
    bi = layers(wrapped)["lstm_2"]
    assert (
        bi["class_name"] == "Bidirectional"
        and bi["inbound_nodes"] == layers(config)["lstm_2"]["inbound_nodes"]
    )
    assert bi["config"]["layer"]["config"]["name"] == "forward_lstm_2"
    assert layers(wrapped)["bilstm"]["config"]["layer"]["class_name"] == "LSTM", (
        "wrapped layers are not re-wrapped"
    )
    back, _ = run(wrapped, {"match": {"name": "lstm_2"}, "unwrap": True})
    original = {k: v for k, v in layers(config)["lstm_2"].items() if k != "build_config"}
    original["config"] = {**original["config"], "zero_output_for_mask": True}  # forced by Bidirectional
    original["inbound_nodes"][0]["kwargs"].pop("mask")  # a call argument left at None is dropped
    assert layers(back)["lstm_2"] == original


def test_unwrap_non_wrapper_is_an_error(saved_models):
    with pytest.raises(RulesError, match="not a wrapper"):
        run(envelope(saved_models, "rnn"), {"match": {"name": "embed"}, "unwrap": True})


def test_replace_class_and_config(saved_models):
    new, _ = run(
        envelope(saved_models, "sequential"),
        {
            "match": {"name": "dropout_1"},
            "replace": {"class_name": "GaussianDropout", "config": {"rate": 0.1}},
        },
    )
    entry = layers(new)["dropout_1"]
    assert entry["class_name"] == "GaussianDropout" and entry["config"]["rate"] == 0.1
    assert entry["config"]["name"] == "dropout_1"


def test_freeze_nested_model(saved_models):
    new, _ = run(
        envelope(saved_models, "nested"),
        {"match": {"class_name": ["Sequential", "Functional"]}, "freeze": True},
    )
    found = layers(new)
    assert found["inner_block"]["config"]["trainable"] is False
    assert found["encoder/enc_dense"]["config"]["trainable"] is False
    assert found["inner_block/inner_dense"]["config"]["trainable"] is False
    assert found["encoder"]["config"]["trainable"] is True, "Sequential.from_config drops its own flag"


def test_model_settings(saved_models):
    new, report = run(
        envelope(saved_models, "nested"),
        model={"name": "variant", "dtype_policy": "mixed_float16", "input_shape": [20]},
    )
    assert new["config"]["name"] == "variant"
    policies = {
        path: entry["config"]["dtype"]["config"]["name"]
        for path, entry in layers(new).items()
        if entry["class_name"] != "InputLayer" and "dtype" in entry["config"]
    }
    assert len(policies) == 4 and set(policies.values()) == {"mixed_float16"}
    assert layers(new)["features"]["config"]["batch_shape"] == [None, 20]
    assert not any("build_config" in entry for entry in layers(new).values())
    assert len(report.model_notes) == 3


def test_shape_change_drops_only_downstream_build_configs(saved_models):
    new, _ = run(envelope(saved_models, "branches"), {"match": {"name": "side"}, "set": {"units": 9}})
    found = layers(new)
    assert "build_config" in found["shared"]
    assert "build_config" not in found["side"] and "build_config" not in found["concat"]
    assert "build_config" not in found["head"]


def test_shape_safe_edit_keeps_build_configs(saved_models):
    new, _ = run(
        envelope(saved_models, "branches"), {"match": {}, "set_everywhere": {"seed": 1}, "freeze": True}
    )
    assert "build_config" in layers(new)["head"]


def test_get_config_dict_in_get_config_dict_out(saved_models):
    with open(saved_models["sequential"]["config"]) as handle:
        config = json.load(handle)
    new, _ = apply_rules(config, {"rules": [{"match": {"name": "dense_1"}, "set": {"units": 3}}]})
    assert "layers" in new and new["layers"][1]["config"]["units"] == 3


def test_legacy_node_format():
    config = keras2_functional()
    new, _ = run(
        config,
        {"match": {"name": "dense_1"}, "rename": "hidden"},
        {"match": {"name": "hidden"}, "insert_after": {"class_name": "Dropout", "config": {"rate": 0.1}}},
    )
    found = layers(new)
    assert found["hidden_dropout"]["inbound_nodes"] == [[["hidden", 0, 0, {}]]]
    assert found["dense_2"]["inbound_nodes"] == [[["hidden_dropout", 0, 0, {}]]]
    removed, _ = run(new, {"match": {"name": "hidden_dropout"}, "remove": True})
    assert layers(removed)["dense_2"]["inbound_nodes"] == [[["hidden", 0, 0, {}]]]


IDEMPOTENT = [
    {"match": {}, "set_everywhere": {"seed": 1337}},
    {"match": {"class_name": "Dense"}, "set": {"units": 7, "use_bias": False}},
    {"match": {"name": "dense_*"}, "unset": "bias_constraint"},
    {"match": {}, "freeze": True},
    {"match": {"class_name": "Dropout"}, "replace": {"class_name": "GaussianDropout"}},
    {"match": {"class_name": "Dropout"}, "remove": True},
]


@pytest.mark.parametrize("rule", IDEMPOTENT, ids=lambda rule: [k for k in rule if k != "match"][0])
@pytest.mark.parametrize("model", ["sequential", "nested", "rnn"])
def test_idempotent_rules(saved_models, model, rule):
    once, _ = run(envelope(saved_models, model), rule, model={"dtype_policy": "float16"})
    twice, _ = run(once, rule, model={"dtype_policy": "float16"})
    assert twice == once
