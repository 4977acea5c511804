"""Where Keras 3's `saving_lib` puts each layer's weights in `model.weights.h5`, from the config alone.

Every Keras 3 version keys a model's layers by class, not by name: `layers/<snake_case class>` with a
per-class counter in the order the model tracks its layers (`layers/lstm`, `layers/lstm_1`), and a nested
model's layers below it (`layers/sequential/layers/dense`); the same in 3.0.5, 3.1.1, 3.2.1, 3.3.3, 3.4.1,
3.5.0 and 3.6.0. From Keras 3.6 the `vars` group also records the layer's name; 3.0-3.5 did not, so a file
they wrote is placed by repeating the key generation over the saved config, whose `layers` list is the
tracking order. A Sequential model does not track its InputLayer. No Keras imported.
"""

from __future__ import annotations

import re

from modelcfg_cli.document import is_sequential, layer_name

CONTAINERS = ("Functional", "Sequential", "Model")


def snake_case(class_name: str) -> str:
    """A class name as `keras.src.utils.naming.to_snake_case` spells it (`MultiHeadAttention` ->
    `multi_head_attention`, `LSTM` -> `lstm`, `Conv2D` -> `conv2d`)."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def layer_entries(envelope: dict) -> dict[str, str]:
    """{entry path in the weights file: layer path by names} of every layer of the model `envelope`."""
    found: dict[str, str] = {}
    _walk(envelope, "layers", (), found)
    return found


def _walk(model: dict, entry: str, prefix: tuple[str, ...], found: dict[str, str]) -> None:
    config = model.get("config")
    layers = config if isinstance(config, list) else (config or {}).get("layers")
    if not isinstance(layers, list):
        return
    used: dict[str, int] = {}
    for layer in layers:
        if not isinstance(layer, dict):
            continue
        class_name = str(layer.get("class_name"))
        if class_name == "InputLayer" and is_sequential(model):
            continue
        key = _unique(snake_case(class_name), used)
        path = (*prefix, str(layer_name(layer)))
        found[f"{entry}/{key}"] = "/".join(path)
        if _is_model(layer):
            _walk(layer, f"{entry}/{key}/layers", path, found)


def _unique(key: str, used: dict[str, int]) -> str:
    if key in used:
        used[key] += 1
        return f"{key}_{used[key]}"
    used[key] = 0
    return key


def _is_model(layer: dict) -> bool:
    config = layer.get("config")
    return isinstance(config, list) or (isinstance(config, dict) and isinstance(config.get("layers"), list))
