"""`diff()` and `emit_rules()` on real Keras models: identity across formats, every kind of change
(edited as dicts) and the rules that turn A into B."""

from __future__ import annotations

import copy
import itertools
import time
from collections import Counter

import pytest

from modelcfg_cli.diffing.diff import MISSING, Change, DiffOptions, diff, summarize
from modelcfg_cli.diffing.emit_rules import emit_rules
from modelcfg_cli.document import model_layers
from modelcfg_cli.sources import read_document
from tests.model_edits import (
    FORMATS,
    as_doc,
    entry_name,
    envelope_of,
    find,
    histories,
    remove_layer,
    rename_layer,
)

MODELS = ["sequential", "branches", "nested", "rnn", "lambda", "mobilenet"]


# -- identity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_same_model_in_every_format_is_equal(saved_models, name):
    docs = {fmt: read_document(saved_models[name][fmt]) for fmt in FORMATS}
    for a, b in itertools.permutations(FORMATS, 2):
        assert diff(docs[a], docs[b]) == [], (a, b)


def test_legacy_keras2_json_equals_its_h5(legacy_dir):
    assert diff(read_document(legacy_dir["keras2_json"]), read_document(legacy_dir["keras2_h5"])) == []
    assert diff(read_document(legacy_dir["keras2_yaml"]), read_document(legacy_dir["keras2_double"])) == []


def test_shared_object_ids_and_key_order_are_noise(saved_models):
    a = envelope_of(saved_models, "mobilenet")
    b = copy.deepcopy(a)
    for entry in model_layers(b):
        entry["config"] = dict(reversed(entry["config"].items()))
        if isinstance(entry["config"].get("dtype"), dict):
            entry["config"]["dtype"]["shared_object_id"] = 12345
    assert diff(as_doc(a), as_doc(b)) == []


def test_keras_version_is_information_only(saved_models):
    a = read_document(saved_models["sequential"]["keras"])
    b = read_document(saved_models["sequential"]["keras"])
    b.metadata["keras_version"] = "3.99.0"
    assert diff(a, b) == []
    assert summarize([], a, b)["keras_version"] == {"a": a.keras_version, "b": "3.99.0"}


# -- each kind of change --------------------------------------------------------------------------


def test_field_changes_have_dotted_paths(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dense_1")["config"]["units"] = 9
    find(b, "dense_1")["config"]["kernel_initializer"]["config"]["seed"] = 42
    del find(b, "dropout_1")["config"]["seed"]
    find(b, "dense_2")["config"]["new_option"] = True
    assert diff(as_doc(a), as_doc(b)) == [
        Change("changed", "dense_1", "kernel_initializer.config.seed", None, 42),
        Change("changed", "dense_1", "units", 8, 9),
        Change("changed", "dropout_1", "seed", 7, MISSING),
        Change("changed", "dense_2", "new_option", MISSING, True),
    ]


def test_class_changed(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dropout_1")["class_name"] = "AlphaDropout"
    changes = diff(as_doc(a), as_doc(b))
    assert changes == [Change("class_changed", "dropout_1", None, "Dropout", "AlphaDropout")]


def test_removed_layer_does_not_also_rewire_its_consumer(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    remove_layer(b, "dropout_1")
    removed = Change("removed", "dropout_1", None, {"class_name": "Dropout", "inbound": ["dense_1"]}, None)
    assert diff(as_doc(a), as_doc(b)) == [removed]


def test_added_layer(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    remove_layer(a, "dropout_1")
    added = Change("added", "dropout_1", None, None, {"class_name": "Dropout", "inbound": ["dense_1"]})
    assert diff(as_doc(a), as_doc(b)) == [added]


def test_rewired(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    for history in histories(find(b, "head")["inbound_nodes"]):
        history[0] = "side"
    assert diff(as_doc(a), as_doc(b)) == [Change("rewired", "head", None, ["concat"], ["side"])]


def test_shared_layer_calls_are_wiring(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    found = list(histories(find(b, "concat")["inbound_nodes"]))
    found[0][1], found[1][1] = 1, 0
    (change,) = diff(as_doc(a), as_doc(b))
    assert (change.kind, change.layer) == ("rewired", "concat")
    assert change.old == ["shared", "shared:1:0", "side"] and change.new == ["shared:1:0", "shared", "side"]


def test_rename_is_one_change_not_removal_and_addition(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    rename_layer(b, "side", "side_branch")
    rename_layer(b, "concat", "merge")
    assert diff(as_doc(a), as_doc(b)) == [
        Change("renamed", "side", None, "side", "side_branch"),
        Change("renamed", "concat", None, "concat", "merge"),
    ]


def test_renamed_and_edited_is_a_rename_and_its_field_changes(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    rename_layer(b, "dense_2", "head")
    find(b, "head")["config"]["units"] = 3
    assert diff(as_doc(a), as_doc(b)) == [
        Change("renamed", "dense_2", None, "dense_2", "head"),
        Change("changed", "dense_2", "units", 4, 3),
    ]
    find(b, "head")["class_name"] = "EinsumDense"
    kinds = [(c.kind, c.layer) for c in diff(as_doc(a), as_doc(b))]
    assert kinds == [("removed", "dense_2"), ("added", "head")]


def test_renamed_and_edited_needs_one_candidate_with_the_same_class_and_inputs(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    rename_layer(b, "side", "side_2")
    find(b, "side_2")["config"]["units"] = 5
    rename_layer(b, "shared", "shared_2")
    find(b, "shared_2")["config"]["activation"] = "tanh"
    kinds = [(c.kind, c.layer, c.path) for c in diff(as_doc(a), as_doc(b))]
    assert kinds == [
        ("renamed", "shared", None),
        ("changed", "shared", "activation"),
        ("renamed", "side", None),
        ("changed", "side", "units"),
    ]


def test_renames_in_many_identical_layers_follow_the_wiring(saved_models):
    a = envelope_of(saved_models, "mobilenet")
    b = copy.deepcopy(a)
    relus = [entry_name(e) for e in model_layers(b) if e["class_name"] == "ReLU"]
    for name in relus:
        rename_layer(b, name, f"act_{name}")
    changes = diff(as_doc(a), as_doc(b))
    assert changes == [Change("renamed", name, None, name, f"act_{name}") for name in relus]


def test_nested_models_are_matched_by_path(saved_models):
    a = envelope_of(saved_models, "nested")
    b = copy.deepcopy(a)
    find(b, "encoder/enc_dense")["config"]["units"] = 7
    rename_layer(find(b, "inner_block"), "inner_dense", "inner_head")
    assert diff(as_doc(a), as_doc(b)) == [
        Change("changed", "encoder/enc_dense", "units", 6, 7),
        Change("renamed", "inner_block/inner_dense", None, "inner_dense", "inner_head"),
    ]


def test_renamed_nested_model_keeps_its_layers_matched(saved_models):
    a = envelope_of(saved_models, "nested")
    b = copy.deepcopy(a)
    rename_layer(b, "encoder", "feature_encoder")
    assert diff(as_doc(a), as_doc(b)) == [Change("renamed", "encoder", None, "encoder", "feature_encoder")]
    find(b, "feature_encoder/enc_dense")["config"]["activation"] = "relu"
    assert diff(as_doc(a), as_doc(b)) == [
        Change("renamed", "encoder", None, "encoder", "feature_encoder"),
        Change("changed", "encoder/enc_dense", "activation", "linear", "relu"),
    ]
    find(b, "feature_encoder")["config"]["layers"][1]["config"]["activation"] = "linear"
    rename_layer(find(b, "feature_encoder"), "enc_dense", "dense_x")
    assert diff(as_doc(a), as_doc(b)) == [
        Change("renamed", "encoder", None, "encoder", "feature_encoder"),
        Change("renamed", "encoder/enc_dense", None, "enc_dense", "dense_x"),
    ]
    find(b, "feature_encoder/dense_x")["class_name"] = "EinsumDense"
    kinds = [(c.kind, c.layer) for c in diff(as_doc(a), as_doc(b))]
    assert kinds == [
        ("renamed", "encoder"),
        ("removed", "encoder/enc_dense"),
        ("added", "feature_encoder/dense_x"),
    ]


def test_nested_model_outputs_are_a_model_change(saved_models):
    a = envelope_of(saved_models, "nested")
    b = copy.deepcopy(a)
    find(b, "inner_block")["config"]["output_layers"] = ["inner_in", 0, 0]
    assert Change("model", "inner_block", "outputs", ["inner_dense"], ["inner_in"]) in diff(
        as_doc(a), as_doc(b)
    )


def test_wrapped_layers_are_compared_inside_their_wrapper(saved_models):
    a = envelope_of(saved_models, "rnn")
    b = copy.deepcopy(a)
    find(b, "bilstm/forward_lstm")["config"]["units"] = 12
    find(b, "bilstm")["config"]["merge_mode"] = "sum"
    assert diff(as_doc(a), as_doc(b)) == [
        Change("changed", "bilstm", "merge_mode", "concat", "sum"),
        Change("changed", "bilstm/forward_lstm", "units", 6, 12),
    ]


def test_model_name_inputs_outputs(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    b["config"]["name"] = "branches_v2"
    b["config"]["output_layers"] = [["head", 0, 0], ["side", 0, 0]]
    b["config"]["input_layers"] = [["right", 0, 0], ["left", 0, 0]]
    assert diff(as_doc(a), as_doc(b)) == [
        Change("model", None, "inputs", ["left", "right"], ["right", "left"]),
        Change("model", None, "name", "branches", "branches_v2"),
        Change("model", None, "outputs", ["head"], ["head", "side"]),
    ]


def test_uniform_dtype_policy_is_one_model_change(saved_models):
    a = envelope_of(saved_models, "mobilenet")
    b = copy.deepcopy(a)
    for entry in model_layers(b):
        if entry["class_name"] != "InputLayer":
            entry["config"]["dtype"]["config"]["name"] = "mixed_float16"
    assert diff(as_doc(a), as_doc(b)) == [Change("model", None, "dtype_policy", "float32", "mixed_float16")]
    find(b, "Conv1")["config"]["dtype"]["config"]["name"] = "bfloat16"
    changes = diff(as_doc(a), as_doc(b))
    assert len(changes) == len(model_layers(b)) - 1
    assert Change("changed", "Conv1", "dtype.config.name", "float32", "bfloat16") in changes


def test_compile_config_is_a_model_change(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    b["compile_config"] = {"loss": "mse", "optimizer": "adam"}
    changes = diff(as_doc(a), as_doc(b))
    assert changes == [
        Change("model", None, "compile_config.loss", MISSING, "mse"),
        Change("model", None, "compile_config.optimizer", MISSING, "adam"),
    ]


def _residual_chain(blocks: int) -> dict:
    """A Keras 2 style Functional config: `blocks` residual blocks (Dense + Add) after one Dense."""
    layers = [{"class_name": "InputLayer", "name": "x", "config": {"name": "x"}, "inbound_nodes": []}]
    previous = "x"
    for index in range(blocks):
        dense, add = f"dense_{index}", f"add_{index}"
        layers.append(
            {
                "class_name": "Dense",
                "name": dense,
                "config": {"name": dense, "units": 4},
                "inbound_nodes": [[[previous, 0, 0, {}]]],
            }
        )
        layers.append(
            {
                "class_name": "Add",
                "name": add,
                "config": {"name": add},
                "inbound_nodes": [[[previous, 0, 0, {}], [dense, 0, 0, {}]]],
            }
        )
        previous = add
    layers.append(
        {
            "class_name": "Dense",
            "name": "out",
            "config": {"name": "out", "units": 1},
            "inbound_nodes": [[[previous, 0, 0, {}]]],
        }
    )
    config = {
        "name": "chain",
        "layers": layers,
        "input_layers": [["x", 0, 0]],
        "output_layers": [["out", 0, 0]],
    }
    return {"class_name": "Functional", "config": config}


def test_many_added_residual_blocks_cost_linear_time():
    start = time.perf_counter()
    changes = diff(as_doc(_residual_chain(1)), as_doc(_residual_chain(40)))
    assert time.perf_counter() - start < 1.0
    kinds = Counter(change.kind for change in changes)
    assert kinds == {"added": 78, "rewired": 1}


# -- options --------------------------------------------------------------------------------------


def test_ignore_globs(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dense_1")["config"]["kernel_initializer"]["config"]["seed"] = 1
    find(b, "dropout_1")["config"]["seed"] = 1
    find(b, "dense_2")["build_config"]["input_shape"] = [None, 9]
    assert len(diff(as_doc(a), as_doc(b))) == 3
    options = DiffOptions(ignore=("*.seed", "build_config"))
    assert diff(as_doc(a), as_doc(b), options) == []


def test_ignore_names_matches_by_class_and_position(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    for old in ("shared", "side", "concat", "head"):
        rename_layer(b, old, f"{old}_7")
    b["config"]["name"] = "functional_7"
    assert len(diff(as_doc(a), as_doc(b))) == 5
    assert diff(as_doc(a), as_doc(b), DiffOptions(ignore_names=True)) == []
    find(b, "head_7")["config"]["units"] = 3
    changes = diff(as_doc(a), as_doc(b), DiffOptions(ignore_names=True))
    assert changes == [Change("changed", "head", "units", 2, 3)]


def test_summary_counts(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dense_1")["config"]["units"] = 9
    rename_layer(b, "dense_2", "head")
    changes = diff(as_doc(a, "a.json"), as_doc(b, "b.json"))
    summary = summarize(changes, as_doc(a, "a.json"), as_doc(b, "b.json"))
    assert summary["changed"] == 1 and summary["renamed"] == 1 and summary["added"] == 0
    assert summary["layers_changed"] == 2
    assert summary["layers"] == {"a": 4, "b": 4}
    assert summary["sources"] == {"a": "a.json", "b": "b.json"}


# -- emit-rules -----------------------------------------------------------------------------------


def test_emit_rules_for_fields_renames_removals_and_the_model(saved_models):
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dense_1")["config"]["kernel_initializer"]["config"]["seed"] = 42
    del find(b, "dense_1")["config"]["kernel_constraint"]
    remove_layer(b, "dropout_1")
    rename_layer(b, "dense_2", "head")
    b["config"]["name"] = "seq_v2"
    for entry in model_layers(b)[1:]:
        entry["config"]["dtype"]["config"]["name"] = "mixed_bfloat16"
    b["config"]["dtype"]["config"]["name"] = "mixed_bfloat16"
    rules, unexpressed = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules == {
        "rules": [
            {
                "match": {"name": "dense_1"},
                "set": {"kernel_initializer.config.seed": 42},
                "unset": ["kernel_constraint"],
            },
            {"match": {"name": "dropout_1"}, "remove": True},
            {"match": {"name": "dense_2"}, "rename": "head"},
        ],
        "model": {"dtype_policy": "mixed_bfloat16", "name": "seq_v2"},
    }
    assert unexpressed == []


def test_emit_rules_selects_nested_layers_by_path_and_wrapped_ones_through_the_wrapper(saved_models):
    a = envelope_of(saved_models, "nested")
    b = copy.deepcopy(a)
    find(b, "encoder/enc_dense")["config"]["units"] = 7
    rules, _ = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules["rules"] == [{"match": {"path": "encoder/enc_dense"}, "set": {"units": 7}}]
    a = envelope_of(saved_models, "rnn")
    b = copy.deepcopy(a)
    find(b, "bilstm/backward_lstm")["config"]["units"] = 12
    find(b, "bilstm/forward_lstm")["config"]["name"] = "fwd"
    rules, _ = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules["rules"] == [
        {"match": {"name": "bilstm"}, "set": {"layer.config.name": "fwd", "backward_layer.config.units": 12}}
    ]


def test_emit_rules_escapes_globs_and_uses_a_path_for_a_name_used_twice(saved_models):
    a = envelope_of(saved_models, "nested")
    rename_layer(a, "score", "score[1]")
    rename_layer(find(a, "inner_block"), "inner_dense", "score[1]")
    b = copy.deepcopy(a)
    find(b, "score[1]")["config"]["units"] = 4
    rules, _ = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules["rules"] == [{"match": {"path": "score[[]1]"}, "set": {"units": 4}}]


def test_emit_rules_renames_inner_layers_before_their_model(saved_models):
    a = envelope_of(saved_models, "nested")
    b = copy.deepcopy(a)
    rename_layer(b, "encoder", "enc")
    rename_layer(find(b, "enc"), "enc_dense", "dense")
    rules, unexpressed = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules["rules"] == [
        {"match": {"path": "encoder/enc_dense"}, "rename": "dense"},
        {"match": {"name": "encoder"}, "rename": "enc"},
    ]
    assert unexpressed == []


def test_emit_rules_lists_what_it_cannot_express(saved_models):
    a = envelope_of(saved_models, "branches")
    b = copy.deepcopy(a)
    find(b, "side")["class_name"] = "EinsumDense"
    for history in histories(find(b, "head")["inbound_nodes"]):
        history[0] = "side"
    find(b, "head")["build_config"]["input_shape"] = [None, 6]
    rules, unexpressed = emit_rules(diff(as_doc(a), as_doc(b)), as_doc(a))
    assert rules == {"rules": []}
    assert unexpressed == [
        "side: class changed Dense -> EinsumDense",
        "head: rewired concat -> side",
        "build_config of 1 layer(s): Keras recomputes it",
    ]
