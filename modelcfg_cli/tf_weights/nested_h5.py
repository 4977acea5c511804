"""Nested models in Keras 2 `.h5` weights: one group per top-level layer, so a nested model's weights are
all under its outer name (`sequential_1`), each listed in `weight_names` by its own layer
(`Conv1/kernel:0`, sometimes with the inner model's name first: `model1/Conv1/kernel:0`).

`split_nested` gives each inner layer its own path (`sequential_1/model1/Conv1`), the way the other readers
key layers, using the model config to find where the inner layer sits.
"""

from __future__ import annotations

import numpy as np

from modelcfg_cli.document import is_model_entry


def weighted_paths(envelope: object) -> dict[str, list[tuple[str, ...]]]:
    """{top-level nested model: paths of its inner layers below it} from a model envelope."""
    config = envelope.get("config") if isinstance(envelope, dict) else None
    layers = config.get("layers") if isinstance(config, dict) else config
    found = {}
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and is_model_entry(layer):
            found[_name(layer)] = list(_inner(layer))
    return found


def _inner(entry: dict, prefix: tuple[str, ...] = ()):
    config = entry.get("config")
    layers = config.get("layers") if isinstance(config, dict) else config
    for layer in layers if isinstance(layers, list) else []:
        if not isinstance(layer, dict):
            continue
        path = (*prefix, _name(layer))
        if is_model_entry(layer):
            yield from _inner(layer, path)
        else:
            yield path


def _name(entry: dict) -> str:
    config = entry.get("config")
    return str(entry.get("name") or (config.get("name") if isinstance(config, dict) else None))


def split_nested(
    group: str, names: list[str], arrays: list[np.ndarray], inner: list[tuple[str, ...]]
) -> dict[str, list[np.ndarray]]:
    """A nested model's arrays by inner layer path (in stored order within each layer)."""
    found: dict[str, list[np.ndarray]] = {}
    for name, array in zip(names, arrays, strict=True):
        parts = tuple(name.split("/")[:-1])
        path = next((p for p in inner if parts[: len(p)] == p), None)
        path = path or next((p for p in inner if parts and p[-1] == parts[0]), parts[:1])
        found.setdefault("/".join((group, *path)), []).append(array)
    return found
