"""Input widths a tf.keras config left unknown, taken from the weights the file stores.

The TensorFlow regression tutorial adapts a `Normalization` and puts it first in a Sequential built by
`fit`: the saved config says the input is `[null, null]`, which Keras 3 cannot build (a Normalization
needs the size of each axis it keeps). The layer's stored `mean` has exactly those sizes, so they are
written into the input shape that feeds it (its InputLayer, and the layer's own `batch_input_shape`).
"""

from __future__ import annotations

from modelcfg_cli.document import KERAS_TENSOR, layer_name

SHAPE_KEYS = ("batch_input_shape", "batch_shape")


def unknown_widths(envelope: dict) -> bool:
    """True when some Normalization is fed by an input whose kept axis has no known size."""
    return bool(list(_normalizations(envelope.get("config"), "")))


def fill_widths(envelope: dict, shapes: dict[str, list[tuple]]) -> list[str]:
    """Write the sizes of stored means (`{layer path: weight shapes}`) into the inputs (in place)."""
    notes = []
    for path, layer, feeders in _normalizations(envelope.get("config"), ""):
        stored = shapes.get(path)
        if not stored:
            continue
        for entry in (layer, *feeders):
            if _fill(entry.get("config") or {}, _axes(layer), tuple(stored[0])):
                notes.append(f"{path}: input width taken from its stored mean {list(stored[0])}")
    return list(dict.fromkeys(notes))


def _normalizations(config: object, prefix: str):
    """(path, Normalization entry, InputLayer entries feeding it) where a kept axis has no size."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return
    layers = [layer for layer in config["layers"] if isinstance(layer, dict)]
    inputs = {layer_name(layer): layer for layer in layers if layer.get("class_name") == "InputLayer"}
    first = next((layer for layer in layers if layer.get("class_name") != "InputLayer"), None)
    for layer in layers:
        name = f"{prefix}{layer_name(layer)}"
        yield from _normalizations(layer.get("config"), f"{name}/")
        if layer.get("class_name") != "Normalization":
            continue
        if "input_layers" in config:
            feeders = [inputs[ref] for ref in _sources(layer.get("inbound_nodes")) if ref in inputs]
        else:
            feeders = list(inputs.values())[:1] if layer is first else []
        entries = [layer, *feeders]
        if any(_missing(entry.get("config") or {}, _axes(layer)) for entry in entries):
            yield name, layer, feeders


def _sources(value: object) -> list[str]:
    """The layers an entry's `inbound_nodes` call it on: legacy `[name, node, tensor, {}]` references,
    or Keras 3 tensors' `keras_history`."""
    if isinstance(value, dict):
        config = value.get("config") if value.get("class_name") == KERAS_TENSOR else None
        history = config.get("keras_history") if isinstance(config, dict) else None
        if isinstance(history, list) and history:
            return [str(history[0])]
        return [name for item in value.values() for name in _sources(item)]
    if isinstance(value, list):
        if len(value) in (3, 4) and isinstance(value[0], str) and isinstance(value[1], int):
            return [value[0]]
        return [name for item in value for name in _sources(item)]
    return []


def _axes(layer: dict) -> list[int]:
    axis = (layer.get("config") or {}).get("axis", -1)
    return [axis] if isinstance(axis, int) else [a for a in axis or [] if isinstance(a, int)]


def _shape(config: dict) -> list | None:
    return next((config[key] for key in SHAPE_KEYS if isinstance(config.get(key), list)), None)


def _missing(config: dict, axes: list[int]) -> bool:
    shape = _shape(config)
    return shape is not None and any(-len(shape) <= a < len(shape) and shape[a] is None for a in axes)


def _fill(config: dict, axes: list[int], sizes: tuple) -> bool:
    """Set the kept axes of the config's shape from `sizes` (one per kept axis, in axis order)."""
    shape = _shape(config)
    if shape is None or not _missing(config, axes):
        return False
    kept = sorted(a % len(shape) for a in axes if -len(shape) <= a < len(shape))
    if len(kept) != len(sizes):
        return False
    for axis, size in zip(kept, sizes, strict=True):
        shape[axis] = int(size)
    return True
