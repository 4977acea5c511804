"""The picture of a diff: statuses from the Change list, removed parts put back, the part around the
changes."""

from __future__ import annotations

import json

from modelcfg_cli.diffing.diff import diff
from modelcfg_cli.pictures.diffgraph import around_changes, diff_picture
from modelcfg_cli.sources import read_document


def picture_of(path_a: str, path_b: str):
    doc_a, doc_b = read_document(path_a), read_document(path_b)
    return diff_picture(doc_a, doc_b, diff(doc_a, doc_b))


def by_name(picture) -> dict[str, str]:
    return {node.name: picture.status.get(node.id, "") for node in picture.graph.nodes}


def test_statuses_follow_the_changes(model_pair):
    picture = picture_of(*model_pair)
    assert by_name(picture) == {
        "features": "",
        "d1 → first": "changed",
        "d2": "changed",
        "side": "added",
        "merge": "added",
        "drop": "rewired",
        "out": "changed",
        "bn": "removed",
    }
    names = {node.id: node.name for node in picture.graph.nodes}
    edges = {(names[u], names[v]): picture.edge_status.get((u, v), "") for u, v in picture.graph.edges}
    assert edges[("d1 → first", "bn")] == "removed" and edges[("bn", "d2")] == "removed"
    assert edges[("d1 → first", "d2")] == "added" and edges[("d2", "drop")] == "removed"
    assert edges[("merge", "drop")] == "added" and edges[("drop", "out")] == ""


def test_equal_models_have_no_marks(model_pair):
    picture = picture_of(model_pair[0], model_pair[0])
    assert picture.status == {} and picture.edge_status == {}


def test_around_changes_keeps_changed_layers_and_neighbours(model_pair):
    part = around_changes(picture_of(*model_pair))
    assert {node.name for node in part.graph.nodes} == {
        "features",
        "d1 → first",
        "bn",
        "d2",
        "side",
        "merge",
        "drop",
        "out",
    }
    shown = {node.id for node in part.graph.nodes}
    assert all(u in shown and v in shown for u, v in part.graph.edges)
    limited = around_changes(picture_of(*model_pair), limit=1)
    assert limited.left_out == 6
    assert {node.name for node in limited.graph.nodes} == {"features", "d1 → first", "bn", "d2"}
    assert {limited.status[node.id] for node in limited.graph.nodes if node.name != "d1 → first"} == {
        "context",
        "removed",
        "changed",
    }


def test_changes_inside_nested_models(saved_models, tmp_path):
    full = json.loads(open(saved_models["nested"]["json"]).read())
    encoder = next(layer for layer in full["config"]["layers"] if layer["name"] == "encoder")
    dense = next(layer for layer in encoder["config"]["layers"] if layer["config"]["name"] == "enc_dense")
    dense["config"]["units"] = 7
    inner = next(layer for layer in full["config"]["layers"] if layer["name"] == "inner_block")
    inner["config"]["trainable"] = False
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(full))
    picture = picture_of(saved_models["nested"]["json"], str(edited))
    groups = {group.name: group.id for group in picture.graph.groups}
    assert by_name(picture)["enc_dense"] == "changed"
    assert picture.status[groups["inner_block"]] == "changed"
    part = around_changes(picture)
    assert {group.name for group in part.graph.groups} == {"encoder", "inner_block"}
    assert "inner_in" in {node.name for node in part.graph.nodes}
