"""Layer actions: each edits one selected layer (a `Site`) in place and records shape-changing edits."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import modelcfg_cli.rules.wiring as wiring
from modelcfg_cli.document import is_model_entry, is_sequential, layer_name, model_layers
from modelcfg_cli.rules.selectors import lookup

SHAPE_SAFE_KEYS = frozenset(
    {"name", "trainable", "dtype", "seed", "activation", "rate", "momentum", "epsilon"}
)
SHAPE_SAFE_SUFFIXES = ("_initializer", "_regularizer", "_constraint", "_activation", "_dropout")
FUNCTIONAL_ENTRY_KEYS = ("name", "inbound_nodes")


class ActionError(ValueError):
    """An action that cannot be applied to the layer it selected."""


@dataclass
class Site:
    """A selected layer: its entry, the model (container) holding it and its path (`outer/inner`). A layer
    inside a wrapper has the wrapper as container and the layer of the model holding it as `owner`."""

    container: dict
    entry: dict
    path: tuple[str, ...]
    owner: dict | None = None

    @property
    def name(self) -> str:
        return layer_name(self.entry)

    @property
    def label(self) -> str:
        return "/".join(self.path)

    @property
    def config(self) -> dict:
        if not isinstance(self.entry.get("config"), dict):
            self.entry["config"] = {}
        return self.entry["config"]


@dataclass
class Edits:
    """What the actions did that matters after the rules: layers whose output shape may have changed."""

    reshaped: set[int] = field(default_factory=set)

    def touch(self, entry: dict, fields=None) -> None:
        """Record an edit of `entry`; `fields` (dotted paths) that cannot change shapes are ignored."""
        if fields is None or not all(is_shape_safe(path) for path in fields):
            self.reshaped.add(id(entry))


def is_shape_safe(dotted: str) -> bool:
    """True for config fields that never change a layer's output or weight shapes."""
    head = dotted.split(".")[0]
    return head in SHAPE_SAFE_KEYS or head.endswith(SHAPE_SAFE_SUFFIXES) or dotted.endswith(".seed")


def set_fields(site: Site, values: dict, edits: Edits) -> None:
    for dotted, value in values.items():
        _assign(site.config, dotted, copy.deepcopy(value))
    edits.touch(site.entry, values)


def unset_fields(site: Site, paths: Any, edits: Edits) -> None:
    paths = [paths] if isinstance(paths, str) else list(paths)
    removed = []
    for dotted in paths:
        parent_path, _, key = dotted.rpartition(".")
        parent = lookup(site.config, parent_path) if parent_path else site.config
        if isinstance(parent, dict) and key in parent:
            del parent[key]
            removed.append(dotted)
    if removed:
        edits.touch(site.entry, removed)


def set_everywhere(site: Site, values: dict, edits: Edits) -> None:
    found: set[str] = set()
    _set_keys(site.config, values, found)
    if found:
        edits.touch(site.entry, found)


def _set_keys(value: Any, values: dict, found: set[str]) -> None:
    """Set every key of `values` wherever it occurs inside `value`; `found` collects the keys set."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in values:
                value[key] = copy.deepcopy(values[key])
                found.add(key)
            else:
                _set_keys(item, values, found)
    elif isinstance(value, list):
        for item in value:
            _set_keys(item, values, found)


def rename(site: Site, template: str, edits: Edits) -> None:
    old = site.name
    new = template.format(name=old, class_name=site.entry.get("class_name"))
    if new == old:
        return
    _check_free(site.container, new)
    _set_name(site.entry, new)
    wiring.rename_references(site.container, old, new)
    site.path = (*site.path[:-1], new)


def replace(site: Site, spec: dict, edits: Edits) -> None:
    entry = site.entry
    if "class_name" in spec and spec["class_name"] != entry.get("class_name"):
        entry["class_name"] = spec["class_name"]
        entry["module"] = spec.get("module", "keras.layers")
        entry["registered_name"] = spec.get("registered_name")
        wiring.drop_default_call_arguments(entry)
    for key in ("module", "registered_name"):
        if key in spec:
            entry[key] = spec[key]
    site.config.update(copy.deepcopy(spec.get("config") or {}))
    drop_build_configs(entry)
    edits.touch(entry)


def wrap(site: Site, spec: dict, edits: Edits) -> None:
    """The wrapper takes the layer's name and wiring; the layer becomes `config.layer` under
    `inner_name` (default `{name}_inner`). A Bidirectional gets what Keras itself writes:
    `forward_{name}` and an explicit `backward_layer` named `backward_{name}`."""
    entry = site.entry
    if entry.get("class_name") == "InputLayer":
        raise ActionError("an InputLayer cannot be wrapped")
    if not (isinstance(entry.get("class_name"), str) and isinstance(entry.get("config"), dict)):
        raise ActionError("a layer without a class_name and a config cannot be wrapped")
    name = site.name
    bidirectional = spec["class_name"] == "Bidirectional"
    template = spec.get("inner_name", "forward_{name}" if bidirectional else "{name}_inner")
    inner = {k: copy.deepcopy(v) for k, v in entry.items() if k not in FUNCTIONAL_ENTRY_KEYS}
    inner.pop("build_config", None)
    inner["config"]["name"] = template.format(name=name, class_name=entry["class_name"])
    config = {"name": name, "trainable": site.config.get("trainable", True)}
    if "dtype" in site.config:
        config["dtype"] = copy.deepcopy(site.config["dtype"])
    config.update(copy.deepcopy(spec.get("config") or {}))
    config["layer"] = inner
    if bidirectional:
        _bidirectional_layers(config, name)
    _swap(
        site,
        {
            "module": spec.get("module", "keras.layers"),
            "class_name": spec["class_name"],
            "config": config,
            "registered_name": spec.get("registered_name"),
        },
    )
    edits.touch(site.entry)


def _bidirectional_layers(config: dict, name: str) -> None:
    """Write the backward RNN and the `zero_output_for_mask` Keras forces, so the config is what it saves."""
    if "backward_layer" not in config:
        backward = copy.deepcopy(config["layer"])
        backward["config"]["name"] = f"backward_{name}"
        backward["config"]["go_backwards"] = not backward["config"].get("go_backwards", False)
        config["backward_layer"] = backward
    for key in ("layer", "backward_layer"):
        rnn = config[key].get("config")
        if isinstance(rnn, dict) and "zero_output_for_mask" in rnn:
            rnn["zero_output_for_mask"] = bool(rnn.get("return_sequences"))


def unwrap(site: Site, _flag: Any, edits: Edits) -> None:
    """The inner layer takes the wrapper's place, name and wiring."""
    inner = site.config.get("layer")
    if not (isinstance(inner, dict) and "class_name" in inner):
        raise ActionError(f"{site.entry.get('class_name')} is not a wrapper (it has no config.layer)")
    new = copy.deepcopy(inner)
    new.pop("build_config", None)
    new.setdefault("config", {})["name"] = site.name
    _swap(site, new)
    wiring.drop_default_call_arguments(site.entry)
    edits.touch(site.entry)


def remove(site: Site, _flag: Any, edits: Edits) -> None:
    entry, container = site.entry, site.container
    if entry.get("class_name") == "InputLayer":
        raise ActionError("an InputLayer cannot be removed")
    layers = model_layers(container)
    if is_sequential(container):
        index = layers.index(entry)
        if index + 1 < len(layers):
            edits.touch(layers[index + 1])
    else:
        for consumer in wiring.consumers(container, site.name):
            edits.touch(consumer)
    wiring.bypass(container, entry, site.label)


def insert_before(site: Site, spec: dict, edits: Edits) -> None:
    if site.entry.get("class_name") == "InputLayer":
        raise ActionError("nothing can be inserted before an InputLayer")
    new = _new_layer(site, spec, _snake(spec["class_name"]) + "_{name}")
    wiring.insert_before(site.container, site.entry, new, site.label)
    edits.touch(new)
    edits.touch(site.entry)


def insert_after(site: Site, spec: dict, edits: Edits) -> None:
    new = _new_layer(site, spec, "{name}_" + _snake(spec["class_name"]))
    wiring.insert_after(site.container, site.entry, new, site.label)
    edits.touch(new)


def freeze(site: Site, flag: Any, edits: Edits) -> None:
    """`trainable: false` (true with `freeze: false`) on the layer and, for a nested model, on every layer
    inside it, as `model.trainable = False` does. InputLayers have no such field, and Keras's
    `Sequential.from_config` drops a Sequential's own flag, so neither gets one."""
    _set_trainable(site.entry, not flag)


def _set_trainable(entry: dict, trainable: bool) -> None:
    if entry.get("class_name") == "InputLayer":
        return
    if not (is_model_entry(entry) and is_sequential(entry)):
        if not isinstance(entry.get("config"), dict):
            entry["config"] = {}
        entry["config"]["trainable"] = trainable
    for inner in model_layers(entry) if is_model_entry(entry) else ():
        if isinstance(inner, dict):
            _set_trainable(inner, trainable)


def _assign(config: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target: Any = config
    for part in parts[:-1]:
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
            continue
        if not isinstance(target, dict):
            raise ActionError(f"cannot set {dotted!r}: {part!r} is inside a {type(target).__name__}")
        if not isinstance(target.get(part), dict | list):
            target[part] = {}
        target = target[part]
    last = parts[-1]
    if isinstance(target, list) and last.isdigit() and int(last) < len(target):
        target[int(last)] = value
    elif isinstance(target, dict):
        target[last] = value
    else:
        raise ActionError(f"cannot set {dotted!r}: its parent is a {type(target).__name__}")


def _set_name(entry: dict, name: str) -> None:
    if "name" in entry:
        entry["name"] = name
    if isinstance(entry.get("config"), dict):
        entry["config"]["name"] = name


def _check_free(container: dict, name: str) -> None:
    if any(layer_name(entry) == name for entry in model_layers(container) if isinstance(entry, dict)):
        raise ActionError(f"the name {name!r} is already taken in this model")


def _swap(site: Site, new: dict) -> None:
    """Put `new` where `site.entry` is, with the old entry's name and wiring keys (functional models)."""
    old = site.entry
    for key in FUNCTIONAL_ENTRY_KEYS:
        if key in old:
            new[key] = old[key]
    layers = model_layers(site.container)
    layers[layers.index(old)] = new
    site.entry = new


def _new_layer(site: Site, spec: dict, default_name: str) -> dict:
    anchor = site.name
    name = spec.get("name", default_name).format(name=anchor, class_name=spec["class_name"])
    _check_free(site.container, name)
    config = {"name": name, **copy.deepcopy(spec.get("config") or {})}
    config["name"] = name
    entry = {
        "module": spec.get("module", "keras.layers"),
        "class_name": spec["class_name"],
        "config": config,
        "registered_name": spec.get("registered_name"),
    }
    if not is_sequential(site.container):
        entry["name"] = name
    return entry


def drop_build_configs(entry: dict) -> None:
    """Drop `build_config` from a layer, its wrapped layers and a nested model's layers."""
    entry.pop("build_config", None)
    config = entry.get("config")
    if is_model_entry(entry):
        for inner in model_layers(entry):
            if isinstance(inner, dict):
                drop_build_configs(inner)
    elif isinstance(config, dict):
        for key in ("layer", "backward_layer"):
            if isinstance(config.get(key), dict):
                drop_build_configs(config[key])


def _snake(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", class_name).lower()
