"""The TensorFlow op upgrade on hand-written legacy configs: what maps to which layer, and the one-line
refusals when no built-in layer fits (the fixtures in test_tfkeras_clone.py check the numbers)."""

from __future__ import annotations

import re

import pytest

from modelcfg_cli.errors import UpgradeRefused
from modelcfg_cli.legacy.tfkeras import prepare_tfkeras


def _model(op: str, node: list, shape=(None, 4, 3), class_name="TFOpLambda") -> dict:
    layers = [
        {
            "class_name": "InputLayer",
            "name": "in",
            "config": {"name": "in", "batch_input_shape": list(shape)},
        },
        {
            "class_name": class_name,
            "name": "op",
            "config": {"name": "op", "function": op},
            "inbound_nodes": [node],
        },
    ]
    config = {"layers": layers, "input_layers": [["in", 0, 0]], "output_layers": [["op", 0, 0]]}
    return {"class_name": "Functional", "config": config}


def _upgraded(op: str, kwargs: dict, shape=(None, 4, 3)) -> list[dict]:
    envelope = _model(op, ["in", 0, 0, kwargs], shape)
    prepare_tfkeras(envelope, [])
    return envelope["config"]["layers"][1:]


@pytest.mark.parametrize(
    ("op", "kwargs", "shape", "expected"),
    [
        ("math.multiply", {"y": 2.0}, (None, 4), [("Rescaling", {"scale": 2.0, "offset": 0.0})]),
        ("math.truediv", {"y": 4.0}, (None, 4), [("Rescaling", {"scale": 0.25, "offset": 0.0})]),
        ("nn.softmax", {"axis": 1}, (None, 4, 3), [("Softmax", {"axis": 1})]),
        ("reshape", {"shape": [-1, 12]}, (None, 4, 3), [("Reshape", {"target_shape": [12]})]),
        ("transpose", {"perm": [0, 2, 1]}, (None, 4, 3), [("Permute", {"dims": [2, 1]})]),
        ("expand_dims", {"axis": -1}, (None, 4), [("Reshape", {"target_shape": [-1, 1]})]),
        ("squeeze", {"axis": [1, 2]}, (None, 1, 1, 3), [("Reshape", {"target_shape": [-1]})]),
        (
            "math.reduce_max",
            {"axis": [2, 3], "keepdims": True},
            (None, 3, 5, 5),
            [("GlobalMaxPooling2D", {"data_format": "channels_first", "keepdims": True})],
        ),
    ],
)
def test_op_maps_to_a_built_in_layer(op, kwargs, shape, expected):
    layers = _upgraded(op, kwargs, shape)
    got = [
        (layer["class_name"], {k: layer["config"][k] for k in config})
        for layer, (_, config) in zip(layers, expected, strict=True)
    ]
    assert got == expected
    assert layers[-1]["name"] == "op"


def test_a_slice_of_a_vector_goes_through_a_sequence_and_keeps_the_name():
    spec = [{"start": None, "stop": None, "step": None}, {"start": 1, "stop": -2, "step": None}]
    layers = _upgraded("__operators__.getitem", {"slice_spec": spec}, (None, 8))
    assert [layer["class_name"] for layer in layers] == ["Reshape", "Cropping1D", "Reshape"]
    assert layers[1]["config"]["cropping"] == [1, 2]
    assert layers[1]["inbound_nodes"] == [[["op_1", 0, 0, {}]]] and layers[2]["name"] == "op"


@pytest.mark.parametrize(
    ("op", "kwargs", "shape", "why"),
    [
        ("math.cumsum", {"axis": 1}, (None, 4), "no Keras 3 built-in layer computes this op"),
        ("math.reduce_sum", {"axis": 1}, (None, 4, 3), "no Keras 3 built-in layer computes this op"),
        ("reshape", {"shape": [8, 12]}, (None, 4, 3), "does not keep the batch axis first"),
        ("math.truediv", {"y": ["in", 0, 0]}, (None, 4), "divides one tensor by another"),
        ("transpose", {"perm": [1, 0, 2]}, (None, 4, 3), "moves the batch axis"),
        ("math.reduce_mean", {"axis": -1}, (None, 4), "global pooling"),
        ("expand_dims", {"axis": 1}, (None, 4, 3), "(batch, n) tensor"),
        ("linalg.matmul", {"b": [[1.0]]}, (None, 4, 3), "a constant"),
        (
            "__operators__.getitem",
            {"slice_spec": [{"start": None, "stop": None, "step": None}, 0]},
            (None, 4, 3),
            "one non-batch axis",
        ),
    ],
)
def test_an_op_without_a_built_in_is_refused_naming_layer_and_op(op, kwargs, shape, why):
    with pytest.raises(UpgradeRefused, match=f"layer 'op' calls tf.{re.escape(op)}: .*{re.escape(why)}"):
        _upgraded(op, kwargs, shape)


def test_an_input_of_unknown_rank_is_refused_for_rank_dependent_ops():
    envelope = _model("math.reduce_mean", ["custom", 0, 0, {"axis": 1}])
    envelope["config"]["layers"].insert(
        1, {"class_name": "MyLayer", "name": "custom", "config": {}, "inbound_nodes": [[["in", 0, 0, {}]]]}
    )
    with pytest.raises(UpgradeRefused, match="cannot tell the rank of its input 'custom'"):
        prepare_tfkeras(envelope, [])


def test_a_raw_tensorflow_op_layer_reshape_maps_and_others_are_refused():
    envelope = _model("", [["in", 0, 0, {}]], (None, 2, 3), "TensorFlowOpLayer")
    envelope["config"]["layers"][1]["config"] = {
        "name": "op",
        "node_def": {"op": "Reshape"},
        "constants": {"1": [-1, 6]},
    }
    prepare_tfkeras(envelope, [])
    assert envelope["config"]["layers"][1]["class_name"] == "Reshape"
    envelope = _model("", [["in", 0, 0, {}]], (None, 2, 3), "TensorFlowOpLayer")
    envelope["config"]["layers"][1]["config"] = {"name": "op", "node_def": {"op": "BatchMatMulV2"}}
    with pytest.raises(UpgradeRefused, match="calls tf.raw_ops.BatchMatMulV2"):
        prepare_tfkeras(envelope, [])


def test_depthwise_groups_one_goes_silently_other_values_are_left_for_the_warning():
    layer = {"class_name": "DepthwiseConv2D", "name": "dw", "config": {"name": "dw", "groups": 1}}
    envelope = {"class_name": "Sequential", "config": {"name": "s", "layers": [layer]}}
    notes: list[str] = []
    prepare_tfkeras(envelope, notes)
    assert "groups" not in layer["config"] and not notes
    layer["config"]["groups"] = 2
    prepare_tfkeras(envelope, notes)
    assert layer["config"]["groups"] == 2  # the generic upgrade drops it with a warning (test_upgrade_drops)


def test_a_nested_sequential_called_on_node_one_is_called_on_node_zero():
    head = {
        "class_name": "Sequential",
        "name": "head",
        "config": {"name": "head", "layers": []},
        "inbound_nodes": [[["in", 0, 0, {}]]],
    }
    out = {
        "class_name": "Dense",
        "name": "out",
        "config": {"name": "out"},
        "inbound_nodes": [[["head", 1, 0, {}]]],
    }
    config = {"layers": [head, out], "input_layers": [["in", 0, 0]], "output_layers": [["head", 1, 0]]}
    prepare_tfkeras({"class_name": "Functional", "config": config}, [])
    assert out["inbound_nodes"] == [[["head", 0, 0, {}]]]
    assert config["output_layers"] == ["head", 0, 0] and config["input_layers"] == ["in", 0, 0]
