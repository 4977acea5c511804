"""Read a saved model's weights by layer path (never by position), with h5py only; no Keras.

`read_weights(source) -> {layer_path: [array, ...]}` in the layer's weight order (`layer.weights`),
from a `.keras` zip or folder (`model.weights.h5`, whose `vars` groups carry the layer's name) or a legacy
`.h5` (`model_weights/<layer>/` listed by `weight_names`, also split as `weight_names0, weight_names1...`).
Paths join nested models' names with `/` (`encoder/dense_1`); wrapped layers belong to their wrapper.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.pair import find_pair

SAVED_BY = (CONFIG_FILE, METADATA_FILE)
CHILD_ORDER = {"forward_layer": 0, "backward_layer": 1}


def read_weights(source: str) -> dict[str, list[np.ndarray]]:
    """Every layer's arrays in `source`; empty when the source holds no weights (a JSON config)."""
    import h5py

    path = Path(source)
    try:
        if path.is_dir():
            if (path / "saved_model.pb").is_file():
                from modelcfg_cli.tf_weights.savedmodel import read_savedmodel_weights

                return read_savedmodel_weights(path, source)
            pair = find_pair(path)
            if pair is not None:
                saved_by = _saved_by({CONFIG_FILE: pair[0].read_bytes()})
                return read_weights_file(str(pair[1]), saved_by[0], keras_version=_json_version(saved_by[0]))
            weights_file = path / WEIGHTS_FILE
            if not weights_file.is_file():
                return {}
            saved_by = _saved_by({n: (path / n).read_bytes() for n in SAVED_BY if (path / n).is_file()})
            with h5py.File(weights_file, "r") as handle:
                return _keras3_weights(handle, source, saved_by)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                if WEIGHTS_FILE not in archive.namelist():
                    return {}
                data = archive.read(WEIGHTS_FILE)
                saved_by = _saved_by({n: archive.read(n) for n in SAVED_BY if n in archive.namelist()})
            with h5py.File(io.BytesIO(data), "r") as handle:
                return _keras3_weights(handle, source, saved_by)
        if h5py.is_hdf5(path):
            with h5py.File(path, "r") as handle:
                return _legacy_weights(handle, _stored_config(handle))
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceError(source, f"cannot read the weights ({exc})") from exc
    return {}


def read_weights_file(weights: str, envelope: dict | None, *, keras_version: str | None = None) -> dict:
    """The arrays of a weights file given apart from its model (`--weights FILE`, the weights of a
    `model.json` pair): `save_weights()` output of Keras 3, tf.keras 2.13-2.15 or Keras 2 (`.h5`), or a
    whole saved model; `envelope` is the model's config (some layouts are keyed by it)."""
    import h5py

    path = Path(weights)
    if not path.exists():
        raise SourceError(weights, "no such file or directory")
    if path.is_dir() or zipfile.is_zipfile(path):
        return read_weights(weights)
    try:
        if not h5py.is_hdf5(path):
            raise SourceError(weights, "not a weights file (expected HDF5: .weights.h5 or a Keras 2 .h5)")
        with h5py.File(path, "r") as handle:
            if "layers" in handle or any("_layer_checkpoint_dependencies" in key for key in handle):
                return _keras3_weights(handle, weights, (envelope, keras_version))
            return _legacy_weights(handle, envelope or _stored_config(handle))
    except (OSError, KeyError) as exc:
        raise SourceError(weights, f"cannot read the weights ({exc})") from exc


def document_weights(doc) -> dict[str, list[np.ndarray]]:
    """The weights of a read `ModelDocument`: from `--weights FILE` when one was given (kept in its
    metadata as `weights_file`), else from the source itself."""
    weights = doc.metadata.get("weights_file")
    if weights:
        return read_weights_file(weights, doc.envelope, keras_version=doc.keras_version)
    return read_weights(doc.path) if doc.path else {}


def _json_version(config: dict | None) -> str | None:
    return config.get("keras_version") if isinstance(config, dict) else None


def _stored_config(handle) -> dict | None:
    """The model config a Keras 2 `.h5` model file holds (none in a weights-only file)."""
    import json

    text = handle.attrs.get("model_config")
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _saved_by(files: dict[str, bytes]) -> tuple[dict | None, str | None]:
    """The model's config envelope and the Keras version that saved it, from config/metadata.json."""
    import json

    try:
        parsed = {name: json.loads(data) for name, data in files.items()}
    except (ValueError, RecursionError):
        return None, None
    config, metadata = parsed.get("config.json"), parsed.get("metadata.json")
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return (config if isinstance(config, dict) else None), version


def _keras3_weights(handle, source: str, saved_by=(None, None)) -> dict[str, list[np.ndarray]]:
    from modelcfg_cli.tf_weights.tfkeras_zip import is_tfkeras_weights, read_tfkeras_weights

    config, keras_version = saved_by
    if config is not None and is_tfkeras_weights(handle, keras_version):
        return read_tfkeras_weights(handle, config, source)
    found: dict[str, list[np.ndarray]] = {}
    layers = handle.get("layers")
    if layers is not None:
        _collect_layers(layers, (), found)
    elif any("_layer_checkpoint_dependencies" in key for key in handle):
        raise SourceError(
            source, "weights saved by tf.keras 2.13-2.15 do not record layer names; cannot match them by name"
        )
    return found


def _collect_layers(group, prefix: tuple[str, ...], found: dict) -> None:
    for key in group:
        layer = group[key]
        path = (*prefix, _vars_name(layer) or key)
        arrays = _arrays_of(layer)
        if arrays:
            found["/".join(path)] = arrays
        if "layers" in layer:
            _collect_layers(layer["layers"], path, found)


def _vars_name(group) -> str | None:
    name = group["vars"].attrs.get("name") if "vars" in group else None
    return name.decode() if isinstance(name, bytes) else name


def _arrays_of(group) -> list[np.ndarray]:
    """The group's own `vars/0..n`, then its sub-objects' (forward before backward, then by name)."""
    arrays = []
    if "vars" in group:
        arrays = [group["vars"][str(i)][()] for i in range(len(group["vars"]))]
    children = sorted(
        (k for k in group if k not in ("vars", "layers")), key=lambda k: (CHILD_ORDER.get(k, 2), k)
    )
    for key in children:
        arrays.extend(_arrays_of(group[key]))
    return arrays


def _legacy_weights(handle, envelope: dict | None = None) -> dict[str, list[np.ndarray]]:
    """Keras 2 `.h5` weights by layer; a nested model's group is split by inner layer (`nested_h5`)."""
    from modelcfg_cli.tf_weights.nested_h5 import split_nested, weighted_paths

    root = handle.get("model_weights", handle)
    nested = weighted_paths(envelope)
    found: dict[str, list[np.ndarray]] = {}
    for name in _string_list(root.attrs, "layer_names"):
        if name not in root:
            continue
        group = root[name]
        names = _string_list(group.attrs, "weight_names")
        arrays = [group[weight][()] for weight in names]
        if arrays and name in nested:
            found.update(split_nested(name, names, arrays, nested[name]))
        elif arrays:
            found[name] = arrays
    return found


def _string_list(attrs, key: str) -> list[str]:
    """An attribute list of names, also when h5py split it as `key0, key1, ...` (over 64 KiB)."""
    if key in attrs:
        values = list(attrs[key])
    else:
        values = []
        chunk = 0
        while f"{key}{chunk}" in attrs:
            values.extend(attrs[f"{key}{chunk}"])
            chunk += 1
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
