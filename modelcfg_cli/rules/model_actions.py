"""Model-level settings of a rules file: `name`, `dtype_policy` (every layer), `input_shape` and `set` (a
registered model's own constructor arguments, `model_fields.py`)."""

from __future__ import annotations

from typing import Any

from modelcfg_cli.document import dtype_policy, io_edges, is_sequential, layer_name, model_layers, walk_layers
from modelcfg_cli.errors import RulesError
from modelcfg_cli.rules.actions import drop_build_configs
from modelcfg_cli.rules.model_fields import set_model_fields

SHAPE_KEYS = ("batch_shape", "batch_input_shape")
QUANTIZATION_MODES = ("int8", "int4", "float8")


def apply_model_settings(model: dict, settings: dict) -> list[str]:
    """Apply `settings` to the top-level model in place; one note per setting applied."""
    notes = []
    config = model.get("config")
    if "name" in settings and isinstance(config, dict):
        notes.append(f"name: {config.get('name')} -> {settings['name']}")
        config["name"] = settings["name"]
    if "dtype_policy" in settings:
        asked = settings["dtype_policy"]
        mode, policy = quantized_policy(asked) or (None, asked)
        count = set_dtype_policy(model, policy) + _give_policy(model, policy)
        notes.append(f"dtype_policy: {policy} on {count} layers")
        if mode:
            notes.append(f"dtype_policy: {asked}: then quantized to {mode} (the layers that support it)")
    if "input_shape" in settings:
        notes.extend(set_input_shape(model, settings["input_shape"]))
    if "set" in settings:
        notes.extend(set_model_fields(model, settings["set"]))
    return notes


def quantized_policy(policy: str) -> tuple[str, str] | None:
    """`("int8", "float32")` for the quantized policy name `int8_from_float32`; None for a float one.
    The layers are built with the float policy, given their weights, then quantized by Keras."""
    mode, sep, source = str(policy).partition("_from_")
    if not sep:
        return None
    if mode not in QUANTIZATION_MODES:
        raise RulesError(
            "model.dtype_policy",
            f"{policy!r}: quantization mode {mode!r} is not one of {', '.join(QUANTIZATION_MODES)}",
        )
    return mode, source


def set_dtype_policy(value: object, policy: str) -> int:
    """Set the dtype policy of every layer (nested and wrapped too) but InputLayers; returns the count."""
    count = 0
    if isinstance(value, dict):
        config = value.get("config")
        layer = "class_name" in value and isinstance(config, dict) and "dtype" in config
        if layer and isinstance(config, dict) and value.get("class_name") != "InputLayer":
            config["dtype"] = _policy(config["dtype"], policy)
            count += 1
        for key, item in value.items():
            if key not in ("inbound_nodes", "dtype", "build_config"):
                count += set_dtype_policy(item, policy)
    elif isinstance(value, list):
        for item in value:
            count += set_dtype_policy(item, policy)
    return count


def _give_policy(model: dict, policy: str) -> int:
    """The policy for layers whose config has no `dtype` yet (one added by `insert_before`/`_after`)."""
    count = 0
    for ref in walk_layers(model, (), ""):
        config = ref.entry.get("config")
        if isinstance(config, dict) and "dtype" not in config and not _keeps_no_policy(ref):
            config["dtype"] = _policy({"class_name": "DTypePolicy"}, policy)
            count += 1
    return count


def _keeps_no_policy(ref) -> bool:
    return ref.class_name == "InputLayer" or ref.is_model


def _policy(old: object, policy: str) -> object:
    if isinstance(old, dict) and old.get("class_name") in ("DTypePolicy", "Policy", "FloatDTypePolicy"):
        return dtype_policy(policy)
    return policy


def set_input_shape(model: dict, shape: Any) -> list[str]:
    """New input shapes (without the batch axis): a list for one input, `{input name: list}` for several.
    Every `build_config` is dropped so that Keras rebuilds each layer for the new shape."""
    inputs = _input_layers(model)
    wanted = shape if isinstance(shape, dict) else {layer_name(entry): shape for entry in inputs[:1]}
    if not isinstance(shape, dict) and len(inputs) != 1:
        raise RulesError(
            "model.input_shape", f"the model has {len(inputs)} inputs; give {{input name: shape}}"
        )
    by_name = {layer_name(entry): entry for entry in inputs}
    notes = []
    for name, dims in wanted.items():
        if name not in by_name:
            raise RulesError("model.input_shape", f"no input named {name!r} (inputs: {', '.join(by_name)})")
        config = by_name[name]["config"]
        key = next((k for k in SHAPE_KEYS if k in config), "batch_shape")
        old = config.get(key)
        config[key] = [None, *dims]
        notes.append(f"input_shape: {name} {old} -> {config[key]}")
    for entry in model_layers(model):
        if isinstance(entry, dict):
            drop_build_configs(entry)
    model.pop("build_config", None)
    config = model.get("config")
    if isinstance(config, dict) and "build_input_shape" in config and inputs:
        config["build_input_shape"] = inputs[0]["config"].get("batch_shape")
    return notes


def _input_layers(model: dict) -> list[dict]:
    layers = [entry for entry in model_layers(model) if isinstance(entry, dict)]
    if is_sequential(model):
        first = layers[:1]
        return first if first and (first[0].get("class_name") == "InputLayer" or _has_shape(first[0])) else []
    names = [edge.layer for edge in io_edges((model.get("config") or {}).get("input_layers"))]
    return [entry for entry in layers if layer_name(entry) in names]


def _has_shape(entry: dict) -> bool:
    return any(key in (entry.get("config") or {}) for key in SHAPE_KEYS)
