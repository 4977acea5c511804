"""Rewiring a serialized model: rename references, bypass a layer, splice a new one in.

Works on both node formats: Keras 3 (`{"args": [...], "kwargs": {...}}` holding `__keras_tensor__`
objects whose `keras_history` is `[layer, node, tensor]`) and legacy (`[[layer, node, tensor, kwargs]]`).
Sequential models have no wiring: their layers are chained in list order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import TypeGuard

from modelcfg_cli.document import KERAS_TENSOR, edge_from_list, is_sequential, layer_name, model_layers


def is_ref(value: object) -> TypeGuard[list]:
    """True for a `[layer, node, tensor, ...]` reference list."""
    return edge_from_list(value) is not None


MODEL_IO_KEYS = ("input_layers", "output_layers")


def references(value: object) -> Iterator[list]:
    """Every `[layer, node, tensor, ...]` reference list inside inbound nodes or model inputs/outputs."""
    if isinstance(value, dict):
        if value.get("class_name") == KERAS_TENSOR:
            history = (value.get("config") or {}).get("keras_history")
            if is_ref(history):
                yield history
            return
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        if is_ref(value):
            yield value
            return
        for item in value:
            yield from references(item)


def tensors(value: object) -> Iterator[dict]:
    """Every Keras 3 `__keras_tensor__` object inside `value`."""
    if isinstance(value, dict):
        if value.get("class_name") == KERAS_TENSOR:
            yield value
            return
        for item in value.values():
            yield from tensors(item)
    elif isinstance(value, list):
        for item in value:
            yield from tensors(item)


def wired_values(container: dict) -> Iterator[object]:
    """The parts of a model that hold references: each layer's inbound nodes, then inputs and outputs."""
    for entry in model_layers(container):
        if isinstance(entry, dict) and "inbound_nodes" in entry:
            yield entry["inbound_nodes"]
    config = container.get("config")
    if isinstance(config, dict):
        for key in MODEL_IO_KEYS:
            if key in config:
                yield config[key]


def rename_references(container: dict, old: str, new: str) -> None:
    """Point every reference to layer `old` in this model at `new`."""
    for value in wired_values(container):
        for ref in references(value):
            if ref[0] == old:
                ref[0] = new


def consumers(container: dict, name: str) -> list[dict]:
    """The layers of this model that take an input from layer `name`."""
    return [
        entry
        for entry in model_layers(container)
        if isinstance(entry, dict) and any(ref[0] == name for ref in references(entry.get("inbound_nodes")))
    ]


def single_input(entry: dict, label: str) -> tuple[list, dict | None]:
    """The only inbound reference of a layer called once on one tensor, and its Keras 3 tensor (or None).

    Raises ValueError naming what the layer has instead.
    """
    nodes = entry.get("inbound_nodes") or []
    if len(nodes) != 1:
        raise ValueError(
            f"{label} is called {len(nodes)} times (expected a single-input, single-output layer)"
        )
    found = list(tensors(nodes[0])) if isinstance(nodes[0], dict) else []
    refs = [t["config"]["keras_history"] for t in found] if found else list(references(nodes[0]))
    if len(refs) != 1:
        raise ValueError(f"{label} has {len(refs)} inputs (expected a single-input, single-output layer)")
    return refs[0], (found[0] if found else None)


def retarget(container: dict, name: str, target: Callable[[list], tuple[list, dict | None]]) -> None:
    """Replace every reference to layer `name` by `target(ref)`: a new `[layer, node, tensor]` and, for a
    Keras 3 tensor, the tensor's new `{shape, dtype}` echo (None keeps it)."""
    for value in wired_values(container):
        for tensor in list(tensors(value)):
            history = tensor["config"].get("keras_history")
            if is_ref(history) and history[0] == name:
                ref, echo = target(history)
                if echo is not None:
                    tensor["config"] = {**copy.deepcopy(echo), "keras_history": list(ref[:3])}
                else:
                    history[:3] = ref[:3]
        for ref in references(value):
            if ref[0] == name:
                ref[:3] = target(ref)[0][:3]


def bypass(container: dict, entry: dict, label: str) -> None:
    """Remove a single-input, single-output layer from a model and feed its consumers its input."""
    layers = model_layers(container)
    if not is_sequential(container):
        source, tensor = single_input(entry, label)
        name = layer_name(entry)
        for ref in _references_to(container, name):
            if ref[1] != 0 or ref[2] != 0:
                raise ValueError(
                    f"{label} has more than one output (expected a single-input, single-output layer)"
                )
        echo = {k: v for k, v in tensor["config"].items() if k != "keras_history"} if tensor else None
        retarget(container, name, lambda _ref: (source, echo))
    layers.remove(entry)


def _references_to(container: dict, name: str) -> list[list]:
    return [ref for value in wired_values(container) for ref in references(value) if ref[0] == name]


def insert_after(container: dict, anchor: dict, new: dict, label: str) -> None:
    """Wire `new` after `anchor`: it reads the anchor's output and the anchor's consumers read `new`."""
    layers = model_layers(container)
    if not is_sequential(container):
        name = layer_name(anchor)
        for ref in _references_to(container, name):
            if ref[2] != 0:
                raise ValueError(f"{label} has more than one output (cannot insert after it)")
        if len(anchor.get("inbound_nodes") or []) > 1:
            raise ValueError(f"{label} is shared (called more than once); cannot insert after it")
        echo = _echo_of(container, name, anchor)
        new_name = layer_name(new)
        retarget(container, name, lambda _ref: ([new_name, 0, 0], None))
        new["inbound_nodes"] = [make_node(container, [name, 0, 0], echo)]
    layers.insert(layers.index(anchor) + 1, new)


def insert_before(container: dict, anchor: dict, new: dict, label: str) -> None:
    """Wire `new` before `anchor`: it takes the anchor's single input and feeds the anchor."""
    layers = model_layers(container)
    if not is_sequential(container):
        source, tensor = single_input(anchor, label)
        echo = {k: v for k, v in tensor["config"].items() if k != "keras_history"} if tensor else None
        new["inbound_nodes"] = [make_node(container, list(source[:3]), echo)]
        source[:3] = [layer_name(new), 0, 0]
    layers.insert(layers.index(anchor), new)


def _echo_of(container: dict, name: str, anchor: dict) -> dict | None:
    """A `{shape, dtype}` seen for the tensor `name` produces (a consumer's copy, else its input's)."""
    for entry in consumers(container, name):
        for tensor in tensors(entry.get("inbound_nodes")):
            if tensor["config"].get("keras_history", [None])[0] == name:
                return {k: v for k, v in tensor["config"].items() if k != "keras_history"}
    for tensor in tensors(anchor.get("inbound_nodes")):
        return {k: v for k, v in tensor["config"].items() if k != "keras_history"}
    return None


def uses_legacy_nodes(container: dict) -> bool:
    """True when this model's layers use the legacy list node format."""
    for entry in model_layers(container):
        nodes = entry.get("inbound_nodes") if isinstance(entry, dict) else None
        if nodes:
            return isinstance(nodes[0], list)
    return False


def make_node(container: dict, ref: list, echo: dict | None) -> object:
    """One inbound node reading `ref`, in the model's node format."""
    if uses_legacy_nodes(container):
        return [[*ref[:3], {}]]
    config = dict(echo) if echo else {"shape": [None], "dtype": "float32"}
    config["keras_history"] = list(ref[:3])
    return {"args": [{"class_name": KERAS_TENSOR, "config": config}], "kwargs": {}}


def drop_default_call_arguments(entry: dict) -> None:
    """Drop call keyword arguments left at None (e.g. `mask`) from a layer's nodes: the layer's class
    changed and the new class may not take them; None is what not passing them means."""
    for node in entry.get("inbound_nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("kwargs"), dict):
            node["kwargs"] = {k: v for k, v in node["kwargs"].items() if v is not None}
        elif isinstance(node, list):
            for ref in node:
                if is_ref(ref) and len(ref) > 3 and isinstance(ref[3], dict):
                    ref[3] = {k: v for k, v in ref[3].items() if v is not None}
