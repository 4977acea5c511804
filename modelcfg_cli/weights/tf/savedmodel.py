"""A tf.keras SavedModel folder's weights by layer path, from its checkpoint, with numpy only.

The checkpoint's object graph says which object holds which variable; `keras_metadata.pb` says which
objects are Keras layers and their names (its `node_path`s, `root.layer_with_weights-0.cell`, are paths of
child names in that graph). A model's layers are its `layer-N` children in order; nested models are
entered; every other layer gets its variables in Keras order (the layer's `variables` list when the
SavedModel has one, else its own variables and its sub-objects', depth first: `cell`, `forward_layer`
then `backward_layer`). The result is what `weights.read_weights` returns for a `.keras` file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.savedmodel import MODEL_IDENTIFIERS, SavedNode, read_keras_metadata
from modelcfg_cli.weights.tf.bundle import Bundle, TrackedObject, object_graph, open_bundle, read_tensor
from modelcfg_cli.weights.tf.shapes import check_layer_shapes

LAYER_CHILD = re.compile(r"layer-(\d+)")
NOT_OWN_STATE = frozenset(
    {
        "keras_api",
        "variables",
        "trainable_variables",
        "non_trainable_variables",
        "regularization_losses",
        "layer_regularization_losses",
        "layer_metrics",
        "metrics",
        "optimizer",
    }
)


def read_savedmodel_weights(folder: Path, label: str | None = None) -> dict[str, list[np.ndarray]]:
    """{layer path: arrays in Keras order}; empty when the folder has no `variables/` (config only)."""
    label = label or str(folder)
    meta = read_keras_metadata(folder, label)
    if not (folder / "variables" / "variables.index").is_file():
        return {}
    bundle = open_bundle(folder / "variables")
    graph = object_graph(bundle)
    keras_nodes = _keras_nodes(graph, meta.nodes, label)
    found: dict[str, list[np.ndarray]] = {}
    _collect(_Walk(bundle, graph, keras_nodes, label), 0, (), found)
    check_layer_shapes(meta.config, found, label)
    return found


class _Walk:
    """What the walk over the object graph needs at hand."""

    def __init__(self, bundle: Bundle, graph: list[TrackedObject], keras_nodes: dict, label: str):
        self.bundle, self.graph, self.keras_nodes, self.label = bundle, graph, keras_nodes, label


def _keras_nodes(
    graph: list[TrackedObject], nodes: tuple[SavedNode, ...], label: str
) -> dict[int, SavedNode]:
    """Object-graph node id -> the Keras metadata of that object, found by following its node path."""
    found = {}
    for node in nodes:
        names = node.node_path.split(".")
        if names[0] != "root":
            continue
        current = 0
        for name in names[1:]:
            children = dict(graph[current].children)
            if name not in children:
                break
            current = children[name]
        else:
            found[current] = node
    if 0 not in found:
        raise SourceError(label, "the checkpoint's object graph does not match keras_metadata.pb (no root)")
    return found


def _collect(walk: _Walk, model_id: int, prefix: tuple[str, ...], found: dict) -> None:
    layers = sorted(
        (int(match.group(1)), child)
        for name, child in walk.graph[model_id].children
        if (match := LAYER_CHILD.fullmatch(name))
    )
    for _, child in layers:
        node = walk.keras_nodes.get(child)
        if node is None or "name" not in node.metadata:
            raise SourceError(walk.label, f"keras_metadata.pb does not describe layer object #{child}")
        path = (*prefix, str(node.metadata["name"]))
        nested = any(LAYER_CHILD.fullmatch(name) for name, _ in walk.graph[child].children)
        if node.identifier in MODEL_IDENTIFIERS and nested:
            _collect(walk, child, path, found)
            continue
        arrays = [read_tensor(walk.bundle, key) for key in _variable_keys(walk.graph, child)]
        if arrays:
            found["/".join(path)] = arrays


def _variable_keys(graph: list[TrackedObject], layer_id: int) -> list[str]:
    """The checkpoint keys of a layer's variables: its `variables` list, else depth first."""
    children = dict(graph[layer_id].children)
    if "variables" in children:
        listed = graph[children["variables"]].children
        if all(name.isdigit() for name, _ in listed):
            ordered = sorted(listed, key=lambda item: int(item[0]))
            return [key for _, node in ordered for key in _own_keys(graph[node])]
    keys: list[str] = []
    seen: set[int] = set()
    stack = [layer_id]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        keys.extend(_own_keys(graph[node_id]))
        owned = [child for name, child in graph[node_id].children if name not in NOT_OWN_STATE]
        stack.extend(reversed(owned))
    return keys


def _own_keys(node: TrackedObject) -> list[str]:
    return [key for name, key in node.variables if name == "VARIABLE_VALUE"]
