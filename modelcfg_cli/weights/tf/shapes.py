"""The weight shapes a layer's config implies, to check weights matched to layers by position or counter.

`expected_shapes(class_name, config)` gives a list of shapes (`None` for a size the config does not fix,
such as the input width) for the common built-in layers, or `None` when it does not know the class.
`check_layer_shapes(envelope, found, label)` checks every `{layer path: arrays}` entry against its layer's
config and raises one line naming the first layer that does not fit.
"""

from __future__ import annotations

from modelcfg_cli.errors import SourceError

GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
CONVOLUTIONS = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3}
TRANSPOSED = {"Conv1DTranspose": 1, "Conv2DTranspose": 2, "Conv3DTranspose": 3}
Shape = tuple[int | None, ...]


def _sizes(value, rank: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,) * rank


def _bias(config: dict, size: int | None) -> list[Shape]:
    return [(size,)] if config.get("use_bias", True) else []


def expected_shapes(class_name: str, config: dict) -> list[Shape] | None:
    """The shapes of the layer's weights in Keras order, or None when unknown."""
    if class_name == "Dense":
        return [(None, config["units"]), *_bias(config, config["units"])]
    if class_name in GATES:
        units, gates = config["units"], GATES[class_name]
        bias = (2, 3 * units) if class_name == "GRU" and config.get("reset_after", True) else (gates * units,)
        shapes = [(None, gates * units), (units, gates * units)]
        return shapes + ([bias] if config.get("use_bias", True) else [])
    if class_name in CONVOLUTIONS:
        rank, filters = CONVOLUTIONS[class_name], config["filters"]
        return [(*_sizes(config["kernel_size"], rank), None, filters), *_bias(config, filters)]
    if class_name in TRANSPOSED:
        rank, filters = TRANSPOSED[class_name], config["filters"]
        return [(*_sizes(config["kernel_size"], rank), filters, None), *_bias(config, filters)]
    if class_name == "DepthwiseConv2D":
        kernel = (*_sizes(config["kernel_size"], 2), None, config.get("depth_multiplier", 1))
        return [kernel, *_bias(config, None)]
    if class_name == "BatchNormalization":
        count = 2 + bool(config.get("scale", True)) + bool(config.get("center", True))
        return [(None,)] * count
    if class_name == "Embedding":
        return [(config["input_dim"], config["output_dim"])]
    if class_name == "Bidirectional":
        forward = _wrapped(config.get("layer"))
        backward = _wrapped(config.get("backward_layer") or config.get("layer"))
        return None if forward is None or backward is None else forward + backward
    return None


def _wrapped(entry) -> list[Shape] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        return None
    return expected_shapes(str(entry.get("class_name")), entry["config"])


def fits(shapes: list[Shape], expected: list[Shape]) -> bool:
    """True when `shapes` match `expected` (where a size is known)."""
    return len(shapes) == len(expected) and all(
        len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want, strict=True))
        for got, want in zip(shapes, expected, strict=True)
    )


def layer_configs(envelope: dict, prefix: tuple[str, ...] = ()) -> dict[str, tuple[str, dict]]:
    """{layer path: (class name, config)} of a model envelope, nested models entered."""
    found = {}
    config = envelope.get("config") if isinstance(envelope, dict) else None
    layers = config.get("layers") if isinstance(config, dict) else None
    for layer in layers if isinstance(layers, list) else []:
        inner = layer.get("config") if isinstance(layer, dict) else None
        if not isinstance(inner, dict):
            continue
        path = (*prefix, str(layer.get("name") or inner.get("name")))
        if isinstance(inner.get("layers"), list):
            found.update(layer_configs(layer, path))
        else:
            found["/".join(path)] = (str(layer.get("class_name")), inner)
    return found


def check_layer_shapes(envelope: dict, found: dict, label: str) -> None:
    """Raise `SourceError` for the first layer whose arrays do not fit what its config implies."""
    configs = layer_configs(envelope)
    for path, arrays in found.items():
        if path not in configs:
            raise SourceError(label, f"weights for layer {path!r}, which the config does not have")
        class_name, config = configs[path]
        try:
            expected = expected_shapes(class_name, config)
        except (KeyError, TypeError):
            expected = None
        shapes = [tuple(array.shape) for array in arrays]
        if expected is not None and not fits(shapes, expected):
            raise SourceError(
                label,
                f"layer {path!r} ({class_name}): stored shapes {_text(shapes)} do not fit its config "
                f"(expected {_text(expected)})",
            )


def _text(shapes: list[Shape]) -> str:
    return ", ".join("(" + ", ".join("?" if d is None else str(d) for d in s) + ")" for s in shapes)
