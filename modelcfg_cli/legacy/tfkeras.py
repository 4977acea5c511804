"""tf.keras 2.x fixes of a legacy model config, run before the generic upgrade (`legacy/upgrade.py`).

- TensorFlow op layers become built-in layers (`legacy/tf_ops.py`).
- A nested Sequential built on an input started with a node of its own, which tf.keras left out of the
  config but counted (callers use node 1); Keras 3 Sequentials have no such node, so callers use node 0.
  (Keras 3 Functional models keep that first node, as tf.keras did, so their references stay.)
- A Functional with one input or one output lists it as `[["name", 0, 0]]`; tf.keras called the model
  with one tensor, Keras 3 would pass a list of one (and a Sequential around it then breaks).
- `DepthwiseConv2D(groups=1)` (tf.keras 2.x wrote it): Keras 3 has no `groups`; 1 is dropped without a
  note; another value is left for the generic upgrade, which drops it with a warning (tf.keras's depthwise
  convolution did not use it).
"""

from __future__ import annotations

from typing import Any

from modelcfg_cli.document import config_of
from modelcfg_cli.legacy.op_call import is_ref
from modelcfg_cli.legacy.tf_ops import upgrade_op_layers

TFKERAS_MODULES = ("keras.src.engine.", "keras.engine.")


def is_tfkeras_entry(entry: dict) -> bool:
    """An object serialized by tf.keras 2.13-2.15 (`keras.src.engine.*` modules, a `Policy` dtype)."""
    config = config_of(entry)
    dtype = config.get("dtype")
    policy = isinstance(dtype, dict) and dtype.get("class_name") == "Policy"
    return str(entry.get("module", "")).startswith(TFKERAS_MODULES) or policy


def prepare_tfkeras(envelope: dict, notes: list[str]) -> None:
    """Apply the tf.keras fixes to a legacy model envelope (in place), nested models included."""
    config = envelope.get("config")
    if not isinstance(config, dict):
        return
    upgrade_op_layers(config)
    _fix_model(config, notes, "")


def _fix_model(config: dict, notes: list[str], where: str) -> None:
    layers = [layer for layer in config.get("layers") or [] if isinstance(layer, dict)]
    for layer in layers:
        inner = layer.get("config")
        if not isinstance(inner, dict):
            continue
        name = f"{where}{layer.get('name') or inner.get('name')}"
        if isinstance(inner.get("layers"), list):
            _fix_model(inner, notes, name + "/")
        elif layer.get("class_name") == "DepthwiseConv2D":
            _depthwise_groups(inner, notes, name)
    if "input_layers" in config:
        _sequential_node_offsets(layers, config.get("output_layers"))
        for key in ("input_layers", "output_layers"):
            value = config.get(key)
            if isinstance(value, list) and len(value) == 1 and is_ref(value[0]):
                config[key] = value[0]


def _depthwise_groups(config: dict, notes: list[str], where: str) -> None:
    if config.get("groups") == 1:
        config.pop("groups")


def _sequential_node_offsets(layers: list[dict], outputs: Any) -> None:
    """References to node N of a nested Sequential that tf.keras counted from 1 now count from 0."""
    counts = {
        layer.get("name"): len(layer.get("inbound_nodes") or [])
        for layer in layers
        if layer.get("class_name") == "Sequential"
    }
    refs = [ref for layer in layers for ref in tensor_refs(layer.get("inbound_nodes"))]
    refs += list(tensor_refs(outputs))
    shifted = {ref[0] for ref in refs if ref[0] in counts and ref[1] >= counts[ref[0]]}
    for ref in refs:
        if ref[0] in shifted and ref[1] > 0:
            ref[1] -= 1


def tensor_refs(value: Any):
    """Every tensor reference in a legacy inbound-nodes structure (lists, kwargs included)."""
    if is_ref(value):
        yield value
        if len(value) == 4:
            yield from tensor_refs(value[3])
    elif isinstance(value, list):
        for item in value:
            yield from tensor_refs(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensor_refs(item)
