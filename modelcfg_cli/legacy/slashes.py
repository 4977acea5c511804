"""Layer names with `/`, which Keras 3 rejects: tf.keras's DenseNet (`conv1/conv`, `pool2/bn`) and the
models built on it. Each such layer is renamed with `_` for `/` (made unique within its model), every
reference to it follows, and `renamed_paths` gives the weight readers' keys (`conv1/conv`) their new
layer paths, so the weights still find their layers.
"""

from __future__ import annotations

import copy

from modelcfg_cli.document import layer_name
from modelcfg_cli.legacy.tfkeras import tensor_refs


def rename_slashed(envelope: dict, notes: list[str]) -> None:
    """Rename the layers whose names hold `/` in a legacy model envelope (in place), nested models too."""
    renames: dict[str, str] = {}
    count = _rename(envelope.get("config"), "", "", renames)
    if count:
        old, new = next(iter(renames.items()))
        more = ", ..." if count > 1 else ""
        notes.append(
            f"renamed {count} layer(s) with '/' in the name (Keras 3 rejects it): {old!r} -> {new!r}{more}"
        )


def renamed_paths(envelope: dict) -> dict[str, str]:
    """{weight key of a renamed layer (or of a layer inside one): the clone's layer path}."""
    renames: dict[str, str] = {}
    _rename(copy.deepcopy(envelope.get("config")), "", "", renames)
    return renames


def _rename(config: object, old_prefix: str, new_prefix: str, renames: dict[str, str]) -> int:
    """Rename in `config` and its nested models; {old path: new path} into `renames`; how many renamed."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return 0
    layers = [layer for layer in config["layers"] if isinstance(layer, dict)]
    taken = {layer_name(layer) for layer in layers}
    local: dict[str, str] = {}
    inner = 0
    for layer in layers:
        old = layer_name(layer)
        new = old
        if "/" in old:
            new = local[old] = _free(old.replace("/", "_"), taken)
            taken.add(new)
            _set_name(layer, new)
        if old_prefix + old != new_prefix + new:
            renames[old_prefix + old] = new_prefix + new
        inner += _rename(layer.get("config"), f"{old_prefix}{old}/", f"{new_prefix}{new}/", renames)
    for layer in layers:
        for ref in tensor_refs(layer.get("inbound_nodes")):
            ref[0] = local.get(ref[0], ref[0])
    for key in ("input_layers", "output_layers"):
        for ref in tensor_refs(config.get(key)):
            ref[0] = local.get(ref[0], ref[0])
    return len(local) + inner


def _free(name: str, taken: set[str]) -> str:
    candidate, index = name, 1
    while candidate in taken:
        candidate, index = f"{name}_{index}", index + 1
    return candidate


def _set_name(layer: dict, name: str) -> None:
    if "name" in layer:
        layer["name"] = name
    if isinstance(layer.get("config"), dict) and "name" in layer["config"]:
        layer["config"]["name"] = name
