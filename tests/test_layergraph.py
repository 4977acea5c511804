"""The layer graph behind the pictures, checked against Keras's own graph, and the layered layout."""

from __future__ import annotations

import itertools

import pytest

from modelcfg_cli.pictures.layergraph import build_graph
from modelcfg_cli.pictures.layering import Spacing, layer_out
from modelcfg_cli.pictures.layout import layout_graph
from modelcfg_cli.pictures.svg import node_size
from modelcfg_cli.sources import read_document


def named_edges(graph) -> set[tuple[str, str]]:
    paths = {node.id: node.path for node in graph.nodes}
    return {(paths[u], paths[v]) for u, v in graph.edges}


def keras_edges(model) -> set[tuple[str, str]]:
    """(producer, consumer) for every call of every layer, from Keras's own nodes."""
    return {
        (tensor._keras_history[0].name, layer.name)
        for layer in model.layers
        for node in layer._inbound_nodes
        for tensor in node.input_tensors
    }


@pytest.mark.parametrize("name", ["sequential", "branches", "mobilenet"])
def test_edges_are_keras_edges(saved_models, name):
    import keras

    model = keras.saving.load_model(saved_models[name]["keras"])
    expected = keras_edges(model)
    layers = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
    for fmt in ("keras", "h5", "json"):
        graph = build_graph(read_document(saved_models[name][fmt]))
        assert named_edges(graph) == expected, fmt
        inputs = [node.name for node in graph.nodes if node.class_name == "InputLayer"]
        assert [node.name for node in graph.nodes if node.name not in inputs] == layers
        assert set(inputs) == {name for edge in expected for name in edge} - set(layers)


def test_shared_layer_is_one_node_with_both_inputs(saved_models):
    graph = build_graph(read_document(saved_models["branches"]["keras"]))
    assert [node.name for node in graph.nodes].count("shared") == 1
    edges = named_edges(graph)
    assert {("left", "shared"), ("right", "shared"), ("shared", "concat")} <= edges


def test_nested_models_are_groups_and_edges_go_through_them(saved_models):
    for fmt in ("keras", "h5"):
        graph = build_graph(read_document(saved_models["nested"][fmt]))
        groups = {group.path: group for group in graph.groups}
        assert set(groups) == {"encoder", "inner_block"}
        assert groups["encoder"].class_name == "Sequential"
        members = {node.path: node.group for node in graph.nodes}
        assert members["encoder/enc_dense"] == groups["encoder"].id
        assert members["inner_block/inner_dense"] == groups["inner_block"].id
        assert members["score"] is None
        encoder_input = next(p for p in members if p.startswith("encoder/") and p != "encoder/enc_dense")
        assert named_edges(graph) == {
            ("features", encoder_input),
            (encoder_input, "encoder/enc_dense"),
            ("encoder/enc_dense", "inner_block/inner_in"),
            ("inner_block/inner_in", "inner_block/inner_dense"),
            ("inner_block/inner_dense", "score"),
        }


def test_wrapped_layers_belong_to_their_wrapper(saved_models):
    graph = build_graph(read_document(saved_models["rnn"]["keras"]))
    kinds = {node.name: node.kind for node in graph.nodes}
    assert kinds == {
        "tokens": "InputLayer",
        "embed": "Embedding",
        "bilstm": "Bidirectional(LSTM)",
        "lstm_2": "LSTM",
        "tags": "TimeDistributed(Dense)",
    }
    assert named_edges(graph) == {
        ("tokens", "embed"),
        ("embed", "bilstm"),
        ("bilstm", "lstm_2"),
        ("lstm_2", "tags"),
    }


def overlap(a, b, slack: float = 0.5) -> bool:
    return (
        a.x + slack < b.x + b.width
        and b.x + slack < a.x + a.width
        and a.y + slack < b.y + b.height
        and b.y + slack < a.y + a.height
    )


def inside(inner, outer) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )


def assert_clean_layout(graph, layout) -> None:
    """No two layer boxes overlap; each layer sits inside its nested model's box; sibling nested
    models do not overlap; everything is on the canvas; every edge joins its two layers."""
    boxes = list(layout.nodes.values())
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (a, b)
    for node in graph.nodes:
        box = layout.nodes[node.id]
        assert box.x >= 0 and box.x + box.width <= layout.width and box.y + box.height <= layout.height
        if node.group is not None:
            assert inside(box, layout.groups[node.group]), node
    for a, b in itertools.combinations(graph.groups, 2):
        if a.parent == b.parent:
            assert not overlap(layout.groups[a.id], layout.groups[b.id]), (a, b)
    for source, target, points in layout.edges:
        start, end = layout.nodes[source], layout.nodes[target]
        assert points[0] == pytest.approx((start.x + start.width / 2, start.y + start.height))
        assert points[-1] == pytest.approx((end.x + end.width / 2, end.y))


@pytest.mark.parametrize("name", ["branches", "nested", "mobilenet", "rnn"])
def test_layout_has_no_overlaps(saved_models, name):
    graph = build_graph(read_document(saved_models[name]["keras"]))
    assert_clean_layout(graph, layout_graph(graph, node_size))


def test_layout_flows_downwards_on_a_branchy_model(saved_models):
    graph = build_graph(read_document(saved_models["mobilenet"]["keras"]))
    layout = layout_graph(graph, node_size, spacing=Spacing(fold_height=10**9))
    for source, target, _ in layout.edges:
        assert layout.nodes[source].y + layout.nodes[source].height < layout.nodes[target].y


def test_a_long_chain_is_folded_into_columns():
    count = 400
    sizes = [(80.0, 38.0)] * count
    edges = [(i, i + 1) for i in range(count - 1)] + [(i, i + 2) for i in range(0, count - 2, 7)]
    flat = layer_out(sizes, edges)
    assert flat.height < 2500 and flat.width > 4 * 80
    boxes = [(x, y, 80.0, 38.0) for x, y in flat.corners]
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(boxes, 2):
        assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah)
    unfolded = layer_out(sizes, edges, Spacing(fold_height=10**9))
    assert unfolded.height > 400 * 38


def test_cycles_and_bad_edges_do_not_break_the_layout():
    flat = layer_out([(50.0, 30.0)] * 3, [(0, 1), (1, 2), (2, 0), (1, 1), (0, 7)])
    assert len(flat.corners) == 3 and len(flat.routes) == 3
    assert len({y for _, y in flat.corners}) == 3
