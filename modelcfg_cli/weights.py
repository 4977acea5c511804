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

from modelcfg_cli.document import WEIGHTS_FILE
from modelcfg_cli.errors import SourceError

CHILD_ORDER = {"forward_layer": 0, "backward_layer": 1}


def weights_format(source: str | bytes) -> str | None:
    """ "keras" for a `.keras` zip (path or bytes) or folder, "h5" for a legacy HDF5 file, None otherwise."""
    import h5py

    if isinstance(source, bytes):
        if zipfile.is_zipfile(io.BytesIO(source)):
            return "keras"
        return "h5" if h5py.is_hdf5(io.BytesIO(source)) else None
    path = Path(source)
    if path.is_dir() or zipfile.is_zipfile(path):
        return "keras"
    return "h5" if h5py.is_hdf5(path) else None


def read_weights(source: str | bytes) -> dict[str, list[np.ndarray]]:
    """Every layer's arrays in `source` (a path, or the bytes read from stdin); empty when the source
    holds no weights (a JSON config)."""
    import h5py

    if isinstance(source, bytes):
        return _read_weights_bytes(source)
    path = Path(source)
    try:
        if path.is_dir():
            weights_file = path / WEIGHTS_FILE
            if not weights_file.is_file():
                return {}
            with h5py.File(weights_file, "r") as handle:
                return _keras3_weights(handle, source)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                if WEIGHTS_FILE not in archive.namelist():
                    return {}
                data = archive.read(WEIGHTS_FILE)
            with h5py.File(io.BytesIO(data), "r") as handle:
                return _keras3_weights(handle, source)
        if h5py.is_hdf5(path):
            with h5py.File(path, "r") as handle:
                return _legacy_weights(handle)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceError(source, f"cannot read the weights ({exc})") from exc
    return {}


def _read_weights_bytes(data: bytes) -> dict[str, list[np.ndarray]]:
    import h5py

    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if WEIGHTS_FILE not in archive.namelist():
                    return {}
                data = archive.read(WEIGHTS_FILE)
            with h5py.File(io.BytesIO(data), "r") as handle:
                return _keras3_weights(handle, "<stdin>")
        if h5py.is_hdf5(io.BytesIO(data)):
            with h5py.File(io.BytesIO(data), "r") as handle:
                return _legacy_weights(handle)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceError("<stdin>", f"cannot read the weights ({exc})") from exc
    return {}


def _keras3_weights(handle, source: str) -> dict[str, list[np.ndarray]]:
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


def _legacy_weights(handle) -> dict[str, list[np.ndarray]]:
    root = handle.get("model_weights", handle)
    found: dict[str, list[np.ndarray]] = {}
    for name in _string_list(root.attrs, "layer_names"):
        if name not in root:
            continue
        group = root[name]
        arrays = [group[weight][()] for weight in _string_list(group.attrs, "weight_names")]
        if arrays:
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
