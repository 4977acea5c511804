"""Graph checks on hand-written configs: Keras 3 nodes, legacy Keras 2 nodes, Sequential, nested models."""

from __future__ import annotations

import copy

import pytest

from modelcfg_cli.checks.graph import check_graph
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.findings import ERROR, WARNING
from tests.legacy import keras2_functional


def tensor(name: str, node: int = 0, index: int = 0) -> dict:
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 4], "keras_history": [name, node, index]},
    }


def k3_layer(name: str, class_name: str = "Dense", *inputs: dict, module: str = "keras.layers") -> dict:
    nodes = [{"args": [inputs[0] if len(inputs) == 1 else list(inputs)], "kwargs": {}}] if inputs else []
    return {
        "module": module,
        "class_name": class_name,
        "config": {"name": name},
        "name": name,
        "inbound_nodes": nodes,
    }


def functional(layers: list, inputs=None, outputs=None) -> dict:
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": layers,
            "input_layers": inputs if inputs is not None else [["in", 0, 0]],
            "output_layers": outputs if outputs is not None else [["b", 0, 0]],
        },
    }


def chain() -> dict:
    return functional(
        [
            k3_layer("in", "InputLayer"),
            k3_layer("a", "Dense", tensor("in")),
            k3_layer("b", "Dense", tensor("a")),
        ]
    )


def findings(payload: dict):
    return check_graph(document_from_payload(copy.deepcopy(payload), "test"))


def only(payload: dict, severity: str = ERROR):
    return [(f.layer, f.message) for f in findings(payload) if f.severity == severity]


def test_clean_functional_has_no_findings():
    assert findings(chain()) == []


def test_legacy_keras2_functional_is_clean_and_dangling_ref_found():
    assert findings(keras2_functional()) == []
    broken = keras2_functional()
    broken["config"]["layers"][2]["inbound_nodes"] = [[["dense_9", 0, 0, {}]]]
    [(layer, message)] = only(broken)
    assert layer == "dense_2"
    assert "refers to layer 'dense_9', which is not in this model; did you mean 'dense_1'?" in message


def test_sequential_is_an_implicit_chain_duplicate_names_found():
    seq = {"class_name": "Sequential", "config": {"name": "s", "layers": [k3_layer("a"), k3_layer("a")]}}
    [(layer, message)] = only(seq)
    assert layer == "a" and "duplicate layer name 'a' (also layers[0])" in message


def test_legacy_list_sequential():
    seq = {"class_name": "Sequential", "config": [k3_layer("a"), k3_layer("b")]}
    assert findings(seq) == []


@pytest.mark.parametrize(
    ("edit", "layer", "fragment"),
    [
        (lambda m: m["config"]["layers"][2].update(k3_layer("b", "Dense", tensor("ghost"))), "b", "'ghost'"),
        (
            lambda m: m["config"]["layers"][2].update(k3_layer("b", "Dense", tensor("a", 1))),
            "b",
            "has 1 node",
        ),
        (
            lambda m: m["config"]["layers"][2].update(k3_layer("b", "Dense", tensor("a", 0, 2))),
            "b",
            "output 2",
        ),
        (
            lambda m: m["config"]["layers"][2].update(k3_layer("b", "Dense", tensor("in", 0, 1))),
            "b",
            "1 output",
        ),
        (
            lambda m: m["config"].update(output_layers=[["nope", 0, 0]]),
            None,
            "output_layers refers to layer 'nope'",
        ),
        (lambda m: m["config"].update(input_layers=[["nope", 0, 0]]), None, "input_layers refers"),
        (lambda m: m["config"].update(output_layers=[]), None, "output_layers is empty"),
    ],
)
def test_reference_errors(edit, layer, fragment):
    model = chain()
    edit(model)
    errors = only(model)
    assert any(found == layer and fragment in message for found, message in errors), errors


def test_cycle_reported_once_with_its_path():
    model = chain()
    model["config"]["layers"][1] = k3_layer("a", "Add", tensor("in"), tensor("b"))
    cycles = [m for _, m in only(model) if "cycle" in m]
    assert cycles == ["layer is part of a cycle: a -> b -> a"] or cycles == [
        "layer is part of a cycle: b -> a -> b"
    ]


def test_unreachable_layer_is_a_warning():
    model = chain()
    model["config"]["layers"].append(k3_layer("island", "Dense"))
    assert only(model) == []
    assert only(model, WARNING) == [("island", "layer is not reachable from the model's input_layers")]


def test_shared_layer_arity_mismatch_is_a_warning():
    model = chain()
    model["config"]["layers"][2]["inbound_nodes"].append(
        {"args": [[tensor("a"), tensor("in")]], "kwargs": {}}
    )
    warnings = only(model, WARNING)
    assert warnings and "different number of inputs per node: [1, 2]" in warnings[0][1]


def test_shared_layer_second_node_is_valid():
    model = chain()
    model["config"]["layers"][1]["inbound_nodes"].append({"args": [tensor("in")], "kwargs": {}})
    model["config"]["output_layers"] = [["a", 1, 0]]
    assert only(model) == []


def test_nested_model_checked_recursively():
    inner = chain()
    inner["name"] = "inner"
    inner["config"]["name"] = "inner"
    inner["config"]["layers"][2] = k3_layer("b", "Dense", tensor("zzz"))
    inner["inbound_nodes"] = [{"args": [tensor("in")], "kwargs": {}}]
    outer = functional([k3_layer("in", "InputLayer"), inner], outputs=[["inner", 0, 0]])
    errors = only(outer)
    assert [layer for layer, _ in errors] == ["inner/b"], errors


def test_op_layer_multiple_outputs_not_limited():
    model = chain()
    model["config"]["layers"][2] = k3_layer("b", "Split", tensor("a"), module="keras.src.ops.numpy")
    model["config"]["output_layers"] = [["b", 0, 1]]
    assert only(model) == []


def test_a_layer_that_reaches_no_output_is_a_warning():
    model = chain()
    last = model["config"]["layers"][-1]["config"]["name"]
    model["config"]["layers"].append(k3_layer("branch", "Dense", tensor(last)))
    assert only(model) == []
    assert only(model, WARNING) == [
        ("branch", "layer reaches no output of the model: Keras leaves it out when it loads the model")
    ]
