"""document.py: envelopes from every payload shape, the layer walk, edges and pointers."""

from __future__ import annotations

import pytest

from modelcfg_cli.document import (
    Edge,
    document_from_payload,
    edge_from_list,
    io_edges,
    parse_inbound_nodes,
    resolve_pointer,
    strip_shared_ids,
    type_name,
)
from modelcfg_cli.errors import SourceError, UsageError
from modelcfg_cli.sources import read_document
from tests.legacy import keras1_sequential, keras2_functional


def test_the_walk_enters_nested_models_and_wrappers(saved_models):
    doc = read_document(saved_models["nested"]["keras"])
    paths = [ref.path_str for ref in doc.layers()]
    assert "encoder/enc_dense" in paths and "inner_block/inner_dense" in paths
    rnn = read_document(saved_models["rnn"]["keras"])
    wrapped = [ref for ref in rnn.layers() if ref.wrapped]
    assert {ref.parent for ref in wrapped} >= {("bilstm",), ("tags",)}
    for ref in doc.layers():
        assert resolve_pointer(doc.envelope, ref.pointer, "x") is ref.entry


def test_sequential_layers_chain_and_functional_edges_come_from_nodes(saved_models):
    seq = read_document(saved_models["sequential"]["keras"])
    refs = {ref.name: ref for ref in seq.layers()}
    assert refs["dense_2"].inbound_layers == ["dropout_1"]
    branches = read_document(saved_models["branches"]["keras"])
    concat = next(ref for ref in branches.layers() if ref.name == "concat")
    assert concat.inbound_layers == ["shared", "side"]
    assert [edge.node_index for edge in concat.inbound[0]] == [0, 1, 0]


def test_find_layer_by_name_or_path_and_suggests(saved_models):
    doc = read_document(saved_models["nested"]["keras"])
    assert doc.find_layer("encoder/enc_dense").name == "enc_dense"
    with pytest.raises(UsageError, match="did you mean"):
        doc.find_layer("enc_dens")


@pytest.mark.parametrize(
    ("payload", "class_name", "synthesized"),
    [
        ({"class_name": "Sequential", "config": {"layers": []}, "keras_version": "3.1"}, "Sequential", False),
        ({"layers": [], "input_layers": [], "output_layers": []}, "Functional", True),
        ({"layers": []}, "Sequential", True),
        ([{"class_name": "Dense", "config": {"name": "d"}}], "Sequential", True),
    ],
)
def test_every_payload_shape_becomes_an_envelope(payload, class_name, synthesized):
    doc = document_from_payload(payload, "x")
    assert doc.class_name == class_name
    assert (doc.metadata.get("envelope") == "synthesized") is synthesized
    assert "keras_version" not in doc.envelope


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (3, "expected an object, got a number"),
        ([1, 2], "a list that is not a list of layers"),
        ({"class_name": 1, "config": {}}, "class_name must be a string"),
        ({"class_name": "X", "config": "s"}, "config must be an object, got a string"),
        ({"weights": []}, "found keys: 'weights'"),
    ],
)
def test_what_is_not_a_model_config_says_why(payload, fragment):
    with pytest.raises(SourceError, match=fragment):
        document_from_payload(payload, "x")


def test_legacy_node_lists_and_keras1_sequential():
    functional = document_from_payload(keras2_functional(), "k2")
    assert all(ref.inbound or ref.class_name == "InputLayer" for ref in functional.layers())
    keras1 = document_from_payload(keras1_sequential(), "k1")
    assert keras1.class_name == "Sequential" and len(list(keras1.layers())) > 1


def test_edges_and_helpers():
    assert edge_from_list(["a", 1, 2, {}]) == Edge("a", 1, 2)
    assert edge_from_list(["a", True, 0]) is None
    assert io_edges({"x": ["a", 0, 0], "y": [["b", 0, 1]]}) == [Edge("a"), Edge("b", 0, 1)]
    assert parse_inbound_nodes([[["a", 0, 0, {}], ["b", 0, 0, {}]]]) == ((Edge("a"), Edge("b")),)
    assert strip_shared_ids({"a": [{"shared_object_id": 1, "b": 2}]}) == {"a": [{"b": 2}]}
    assert [type_name(v) for v in (None, True, 1.5, "s", [], {})] == [
        "null",
        "a boolean",
        "a number",
        "a string",
        "a list",
        "an object",
    ]


def test_pointer_errors_name_the_step():
    with pytest.raises(SourceError, match="must start with '/'"):
        resolve_pointer({}, "a", "x")
    with pytest.raises(SourceError, match="/a/b"):
        resolve_pointer({"a": {}}, "/a/b", "x")
    assert resolve_pointer({"a/b": {"~": 1}}, "/a~1b/~0", "x") == 1
