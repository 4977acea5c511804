"""Editing saved models for the diff tests: a model's serialized object as a dict to edit (rename or
remove a layer the way Keras would have saved it), and one tensor of a `.keras` zip's weights."""

from __future__ import annotations

import copy
import zipfile

import h5py

from modelcfg_cli.document import WRAPPED_KEYS, Origin, document_from_payload, model_layers
from modelcfg_cli.sources import read_document

FORMATS = ["keras", "h5", "dir", "json", "yaml", "config"]


def envelope_of(saved_models: dict, name: str) -> dict:
    """The model's whole serialized object, as `.keras` stores it (a copy to edit)."""
    return read_document(saved_models[name]["keras"]).full()


def as_doc(envelope: dict, label: str = "edited"):
    return document_from_payload(copy.deepcopy(envelope), label, origin=Origin("json"))


def find(envelope: dict, path: str) -> dict:
    """The entry at `outer/inner` (nested models and wrapped layers included)."""
    entry = envelope
    for name in path.split("/"):
        children = list(model_layers(entry))
        config = entry.get("config")
        if isinstance(config, dict):
            children += [config[key] for key in WRAPPED_KEYS if isinstance(config.get(key), dict)]
        entry = next(child for child in children if entry_name(child) == name)
    return entry


def entry_name(entry: dict) -> str:
    return entry.get("name") or entry["config"].get("name")


def histories(value):
    """Every `keras_history` list and every `[name, node, tensor]` io entry inside `value`."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            yield value["config"]["keras_history"]
            return
        for item in value.values():
            yield from histories(item)
    elif isinstance(value, list):
        if len(value) >= 3 and isinstance(value[0], str) and isinstance(value[1], int):
            yield value
            return
        for item in value:
            yield from histories(item)


def _references(model: dict):
    config = model["config"]
    for entry in model_layers(model):
        yield from histories(entry.get("inbound_nodes", []))
    if isinstance(config, dict):
        for key in ("input_layers", "output_layers"):
            yield from histories(config.get(key, []))


def rename_layer(model: dict, old: str, new: str) -> None:
    """Rename a direct layer of `model` and every reference to it, as Keras would have saved it."""
    entry = next(e for e in model_layers(model) if entry_name(e) == old)
    entry["config"]["name"] = new
    if "name" in entry:
        entry["name"] = new
    for history in _references(model):
        if history[0] == old:
            history[0] = new


def remove_layer(model: dict, name: str) -> None:
    """Remove a single-input layer of `model`, feeding its consumers from its input."""
    layers = model_layers(model)
    index = next(i for i, e in enumerate(layers) if entry_name(e) == name)
    entry = layers.pop(index)
    source = next(iter(histories(entry.get("inbound_nodes", []))), None)
    if source is None:
        return
    for history in _references(model):
        if history[0] == name:
            history[:3] = source[:3]


def edit_keras_zip(source: str, target, dataset: str, edit) -> None:
    """Copy a .keras zip with `edit(array)` applied to one dataset of its model.weights.h5."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = target.parent / (target.name + ".weights.h5")
    weights.write_bytes(members["model.weights.h5"])
    edit_h5(weights, dataset, edit)
    members["model.weights.h5"] = weights.read_bytes()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def edit_h5(path, dataset: str, edit) -> None:
    with h5py.File(path, "a") as handle:
        array = handle[dataset][()]
        edit(array)
        handle[dataset][...] = array
