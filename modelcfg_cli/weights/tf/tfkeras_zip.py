"""Weights of a `.keras` zip (or `.weights.h5`) written by tf.keras 2.13-2.15, by layer path.

tf.keras keyed each layer by its class and a counter, not by its name (`saving_lib._save_container_state`),
with `\\` instead of `/` inside group names when saved on Windows; nested models hold their own counters:
- 2.15 walks `layers`: the N-th layer of a class in the config is `layers/<class_snake_case>_N` (the
  first has no suffix).
- 2.14 walks `_layer_checkpoint_dependencies` (a dict listing each layer that has weights twice, as
  `layer_with_weights-K` and `layer-I`) and skips a layer it saw before counting it: the same keys under
  `_layer_checkpoint_dependencies/`.
- 2.13 walks that dict too but counts the second sight of a layer with weights before skipping it: such a
  layer takes two numbers (`conv2d`, `conv2d_2`, `conv2d_4`), a weightless one one.
The version comes from the file's `metadata.json`; without one, each way is tried and the one that places
every stored tensor wins. Arrays are checked against the shapes the config implies (`shapes.py`).
"""

from __future__ import annotations

import re

import numpy as np

from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.tf.shapes import check_layer_shapes

CONTAINERS = ("layers", "_layer_checkpoint_dependencies")
CHILD_ORDER = {"forward_layer": 0, "backward_layer": 1}


def is_tfkeras_weights(handle, keras_version: str | None) -> bool:
    """True when an h5 weights file was written by tf.keras (its version, or its key layout, says so)."""
    if keras_version is not None:
        return str(keras_version).startswith("2.")
    names: list[str] = []
    handle.visit(names.append)
    return any("_layer_checkpoint_dependencies" in name or "\\" in name for name in names)


def read_tfkeras_weights(
    handle, envelope: dict, label: str, keras_version: str | None = None
) -> dict[str, list[np.ndarray]]:
    """{layer path: arrays in Keras order} for the model `envelope` ({"class_name", "config"})."""
    tree = _tree(handle)
    config = envelope.get("config") if isinstance(envelope, dict) else None
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise SourceError(
            label, "the config lists no layers (a subclassed model?): cannot match tf.keras weights"
        )
    stored = sum(len(arrays) for arrays in _all_layer_arrays(tree))
    best: dict[str, list[np.ndarray]] = {}
    for doubled in _counting_ways(keras_version):
        found: dict[str, list[np.ndarray]] = {}
        _collect(tree, config["layers"], (), found, doubled)
        if _count(found) == stored:
            best = found
            break
        best = max(best, found, key=_count) if best else found
    if _count(best) != stored:
        raise SourceError(
            label, f"only {_count(best)} of the {stored} stored layer weights match a layer of the config"
        )
    check_layer_shapes(envelope, best, label)
    return best


def _counting_ways(keras_version: str | None) -> tuple[bool, ...]:
    """Whether a layer with weights takes two counter numbers (tf.keras 2.13), in the order to try."""
    if str(keras_version or "").startswith("2.13"):
        return (True,)
    if str(keras_version or "")[:4] in ("2.14", "2.15"):
        return (False,)
    return (False, True)


def _count(found: dict) -> int:
    return sum(len(arrays) for arrays in found.values())


def _tree(handle) -> dict:
    """The file's datasets as nested dicts, group names split on `/` and `\\` alike."""
    tree: dict = {}

    def add(name, obj):
        if hasattr(obj, "shape"):
            node = tree
            *parents, leaf = name.replace("\\", "/").split("/")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = obj[()]

    handle.visititems(add)
    return tree


def to_snake_case(name: str) -> str:
    """tf.keras's `generic_utils.to_snake_case` (`Conv1D` -> `conv1d`, `TFOpLambda` -> `tf_op_lambda`)."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[:1] != "_" else "private" + name


def _collect(node: dict, layers: list, prefix: tuple[str, ...], found: dict, doubled: bool) -> None:
    container: dict = next((node[key] for key in CONTAINERS if isinstance(node.get(key), dict)), {})
    doubled = doubled and container is node.get(CONTAINERS[1])
    counters: dict[str, int] = {}
    for layer in layers:
        if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
            continue
        config = layer["config"]
        class_name = str(layer.get("class_name", "")).rsplit(">", 1)[-1]
        snake = "functional" if class_name == "Model" else to_snake_case(class_name)
        counters[snake] = counters.get(snake, -1) + 1
        key = snake if counters[snake] == 0 else f"{snake}_{counters[snake]}"
        stored = container.get(key)
        if not isinstance(stored, dict):
            continue
        if doubled:  # stored holds arrays: the layer had weights, listed twice
            counters[snake] += 1
        path = (*prefix, str(layer.get("name") or config.get("name")))
        if isinstance(config.get("layers"), list):
            _collect(stored, config["layers"], path, found, doubled)
            continue
        arrays = _arrays(stored)
        if arrays:
            found["/".join(path)] = arrays


def _arrays(node: dict) -> list[np.ndarray]:
    """A layer's own `vars/0..n`, then its sub-objects' (forward before backward, then by name)."""
    own = node.get("vars", {})
    arrays = [own[key] for key in sorted(own, key=int)] if isinstance(own, dict) else []
    children = sorted((k for k in node if k != "vars"), key=lambda k: (CHILD_ORDER.get(k, 2), k))
    for key in children:
        if isinstance(node[key], dict):
            arrays.extend(_arrays(node[key]))
    return arrays


def _all_layer_arrays(node: dict):
    """Every stored layer's arrays below the layer containers (nested models entered)."""
    container: dict = next((node[key] for key in CONTAINERS if isinstance(node.get(key), dict)), {})
    for child in container.values():
        if isinstance(child, dict):
            if any(isinstance(child.get(key), dict) for key in CONTAINERS):
                yield from _all_layer_arrays(child)
            else:
                yield _arrays(child)
