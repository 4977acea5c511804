"""Read a saved model's weights by layer path (never by position), with h5py only; no Keras.

One walk, `open_tensors(source)`, lists every stored tensor as a `StoredTensor`: its layer path, its
position among that layer's weights (`layer.weights` order) and the h5py dataset, read only when asked
(so a diff or a hash can read it in slices). `read_weights(source) -> {layer_path: [array, ...]}` reads
them all. Sources: a `.keras` zip or folder (`model.weights.h5`, whose `vars` groups carry the layer's
name) or a legacy `.h5` (`model_weights/<layer>/` listed by `weight_names`, also split as
`weight_names0, weight_names1...`). Paths join nested models' names with `/` (`encoder/dense_1`), in
every format; wrapped layers belong to their wrapper.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources import tfjs_files
from modelcfg_cli.sources.pair import find_pair
from modelcfg_cli.weights.saving_keys import layer_entries
from modelcfg_cli.weights.shards import merged_view, sharded_index

SAVED_BY = (CONFIG_FILE, METADATA_FILE)
CHILD_ORDER = {"forward_layer": 0, "backward_layer": 1}
CHUNK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class StoredTensor:
    """One stored tensor: `layer` path, `index` among the layer's weights, the name the file gives it,
    and the h5py dataset (valid while the file is open)."""

    layer: str
    index: int
    name: str
    dataset: Any = field(repr=False, compare=False)

    @property
    def key(self) -> tuple[str, int]:
        return self.layer, self.index


def read_weights(source: str) -> dict[str, list[np.ndarray]]:
    """Every layer's arrays in `source`; empty when the source holds no weights (a JSON config).
    A SavedModel folder's checkpoint, a TF.js layers model's shards, a `model.json` + weights pair and a
    tf.keras 2.13-2.15 `.keras` file (whose weights are keyed by class and counter) are mapped to layers
    through their config."""
    path = Path(source)
    tfjs = tfjs_files(path) if path.exists() else None
    if tfjs is not None:
        from modelcfg_cli.weights.tf.tfjs import read_tfjs_weights

        return read_tfjs_weights(tfjs, source)
    if path.is_dir() and (path / "saved_model.pb").is_file():
        from modelcfg_cli.weights.tf.savedmodel import read_savedmodel_weights

        return read_savedmodel_weights(path, source)
    pair = find_pair(path) if path.is_dir() else None
    if pair is not None:
        config, _ = _saved_by({CONFIG_FILE: pair[0].read_bytes()})
        return read_weights_file(str(pair[1]), config, keras_version=_json_version(config))
    tfkeras = _tfkeras_weights(source)
    if tfkeras is not None:
        return tfkeras
    return _all_arrays(source)


def _all_arrays(source: str, envelope: dict | None = None) -> dict[str, list[np.ndarray]]:
    found: dict[str, list[np.ndarray]] = {}
    with open_tensors(source, envelope) as tensors:
        for tensor in tensors or ():
            found.setdefault(tensor.layer, []).append(tensor.dataset[()])
    return found


def read_weights_file(weights: str, envelope: dict | None, *, keras_version: str | None = None) -> dict:
    """The arrays of a weights file given apart from its model (`--weights FILE`, the weights of a
    `model.json` pair): `save_weights()` output of Keras 3, tf.keras 2.13-2.15 or Keras 2 (`.h5`), or a
    whole saved model; `envelope` is the model's config (some layouts are keyed by it)."""
    import h5py

    path = Path(checked_weights_file(weights))
    if sharded_index(path) and not path.is_dir():
        return _all_arrays(weights, envelope)
    if path.is_dir() or zipfile.is_zipfile(path):
        return read_weights(weights)
    from modelcfg_cli.weights.tf.tfkeras_zip import is_tfkeras_weights, read_tfkeras_weights

    try:
        with h5py.File(path, "r") as handle:
            keras3_layout = "layers" in handle or any("_layer_checkpoint_dependencies" in k for k in handle)
            if keras3_layout and envelope is not None and is_tfkeras_weights(handle, keras_version):
                return read_tfkeras_weights(handle, envelope, weights, keras_version)
    except OSError as exc:
        raise SourceError(weights, f"cannot read the weights ({exc})") from exc
    return _all_arrays(weights, envelope)


def checked_weights_file(weights: str) -> str:
    """`weights` once it is known to exist and to be a model folder, a zip or an HDF5 file."""
    import h5py

    path = Path(weights)
    if not path.exists():
        raise SourceError(weights, "no such file or directory")
    if not (path.is_dir() or zipfile.is_zipfile(path) or h5py.is_hdf5(path) or sharded_index(path)):
        raise SourceError(weights, "not a weights file (expected HDF5: .weights.h5 or a Keras 2 .h5)")
    return weights


def document_weights(doc) -> dict[str, list[np.ndarray]]:
    """The weights of a read `ModelDocument`: from `--weights FILE` when one was given (kept in its
    metadata as `weights_file`), else from the source itself."""
    weights = doc.origin.weights_file
    if weights:
        return read_weights_file(weights, doc.envelope, keras_version=doc.keras_version)
    return read_weights(doc.path) if doc.path else {}


def _json_version(config: dict | None) -> str | None:
    return config.get("keras_version") if isinstance(config, dict) else None


def _tfkeras_weights(source: str) -> dict[str, list[np.ndarray]] | None:
    """The weights of a `.keras` zip or folder saved by tf.keras 2.13-2.15, else None."""
    import h5py

    from modelcfg_cli.weights.tf.tfkeras_zip import is_tfkeras_weights, read_tfkeras_weights

    try:
        with ExitStack() as stack:
            handle, kind = _open_weights_file(source, stack, h5py)
            if kind != "keras":
                return None
            config, version = _saved_by(_config_files(source))
            if config is None or not is_tfkeras_weights(handle, version):
                return None
            return read_tfkeras_weights(handle, config, source, version)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise SourceError(source, f"cannot read the weights ({exc})") from exc


def _config_files(source: str) -> dict[str, bytes]:
    path = Path(source)
    if path.is_dir():
        return {name: (path / name).read_bytes() for name in SAVED_BY if (path / name).is_file()}
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in SAVED_BY if name in archive.namelist()}


def _saved_by(files: dict[str, bytes]) -> tuple[dict | None, str | None]:
    """The model's config envelope and the Keras version that saved it, from config/metadata.json."""
    try:
        parsed = {name: json.loads(data) for name, data in files.items()}
    except (ValueError, RecursionError):
        return None, None
    config, metadata = parsed.get(CONFIG_FILE), parsed.get(METADATA_FILE)
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return (config if isinstance(config, dict) else None), version


@contextmanager
def open_tensors(source: str, envelope: dict | None = None) -> Iterator[list[StoredTensor] | None]:
    """The tensors stored in `source`, open for reading; None when it stores no weights. `envelope` is
    the model config of a legacy weights file that has none of its own (to place nested models' weights)."""
    import h5py

    with ExitStack() as stack:
        try:
            handle, kind = _open_weights_file(source, stack, h5py)
            tensors = None
            if handle is not None:
                tensors = (
                    _keras3_tensors(handle, source, envelope)
                    if kind == "keras"
                    else _legacy_tensors(handle, envelope)
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise SourceError(source, f"cannot read the weights ({exc})") from exc
        yield tensors


@contextmanager
def open_datasets(source: str) -> Iterator[list[tuple[str, object]]]:
    """Every dataset of the file holding `source`'s weights, by its HDF5 path, sorted; whatever layout
    (a TF.js model's weights by their manifest names)."""
    import h5py

    tfjs = tfjs_files(Path(source)) if Path(source).exists() else None
    if tfjs is not None:
        from modelcfg_cli.weights.tf.tfjs import manifest_arrays

        yield sorted(manifest_arrays(tfjs, source), key=lambda pair: pair[0])
        return

    with ExitStack() as stack:
        try:
            handle, _ = _open_weights_file(source, stack, h5py)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise SourceError(source, f"cannot read the weights ({exc})") from exc
        found: list[tuple[str, object]] = []
        if handle is not None:
            handle.visititems(
                lambda name, item: found.append((name, item)) if hasattr(item, "dtype") else None
            )
        yield sorted(found, key=lambda pair: pair[0])


def _open_weights_file(source: str, stack: ExitStack, h5py) -> tuple[Any, str]:
    """The open HDF5 file holding the weights and its layout (`keras` or `legacy`), or (None, "")."""
    path = Path(source)
    index = sharded_index(path)
    if index is not None:
        return stack.enter_context(h5py.File(stack.enter_context(merged_view(index)), "r")), "keras"
    if path.is_dir():
        weights_file = path / WEIGHTS_FILE
        if not weights_file.is_file():
            return None, ""
        return stack.enter_context(h5py.File(weights_file, "r")), "keras"
    if zipfile.is_zipfile(path):
        member = _zip_member(path, stack)
        if member is None:
            return None, ""
        return stack.enter_context(h5py.File(member, "r")), "keras"
    if h5py.is_hdf5(path):
        handle = stack.enter_context(h5py.File(path, "r"))
        return handle, _h5_layout(handle)
    return None, ""


def _h5_layout(handle) -> str:
    """`keras` for a Keras 3 `save_weights()` file (`layers/...`), else `legacy` (a Keras 1/2 `.h5`
    model or weights file: `model_weights/` or `layer_names` at the top)."""
    legacy = "model_weights" in handle or any(key.startswith("layer_names") for key in handle.attrs)
    return "keras" if "layers" in handle and not legacy else "legacy"


def _zip_member(path: Path, stack: ExitStack):
    """`model.weights.h5` of a zip as a seekable file: a window on the archive when stored (Keras stores
    it uncompressed), else a temporary copy on disk; memory stays flat either way."""
    archive = stack.enter_context(zipfile.ZipFile(path))
    if WEIGHTS_FILE not in archive.namelist():
        return None
    info = archive.getinfo(WEIGHTS_FILE)
    if info.compress_type == zipfile.ZIP_STORED:
        raw = stack.enter_context(path.open("rb"))
        raw.seek(info.header_offset)
        header = raw.read(30)
        start = info.header_offset + 30 + int.from_bytes(header[26:28], "little")
        start += int.from_bytes(header[28:30], "little")
        return FileWindow(raw, start, info.file_size)
    copy = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - closed by the stack
    with archive.open(info) as member:
        shutil.copyfileobj(member, copy, 16 * 1024 * 1024)
    copy.seek(0)
    return copy


class FileWindow:
    """A read-only, seekable view of `size` bytes of an open file from `start`."""

    def __init__(self, raw, start: int, size: int):
        self.raw, self.start, self.size, self.position = raw, start, size, 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, count: int = -1) -> bytes:
        left = max(0, self.size - self.position)
        count = left if count is None or count < 0 else min(count, left)
        self.raw.seek(self.start + self.position)
        data = self.raw.read(count)
        self.position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# -- Keras 3 layout -------------------------------------------------------------------------------


def _keras3_tensors(handle, source: str, envelope: dict | None = None) -> list[StoredTensor]:
    """Layers by the names stored beside their weights, or (Keras 3.0-3.5 stored none) by the keys
    `saving_lib` derived from the config (`envelope`, else the source's own `config.json`)."""
    layers = handle.get("layers")
    if layers is None:
        if any("_layer_checkpoint_dependencies" in key for key in handle):
            raise SourceError(
                source,
                "weights saved by tf.keras 2.13-2.15 do not record layer names; cannot match them by name",
            )
        return []
    found: list[StoredTensor] = []
    _collect_layers(layers, (), found, _keyed_layers(layers, source, envelope), "layers")
    return found


def _keyed_layers(layers, source: str, envelope: dict | None) -> dict[str, str]:
    """{entry path: layer path} from the config, for a file whose layers carry no stored names."""
    if any(_vars_name(layers[key]) for key in layers):
        return {}
    if envelope is None and (Path(source).is_dir() or zipfile.is_zipfile(source)):
        envelope = _saved_by(_config_files(source))[0]
    return layer_entries(envelope) if envelope else {}


def _collect_layers(group, prefix: tuple[str, ...], found: list, keyed: dict, entry: str) -> None:
    for key in group:
        layer, where = group[key], f"{entry}/{key}"
        name = _vars_name(layer)
        path = tuple(keyed[where].split("/")) if name is None and where in keyed else (*prefix, name or key)
        layer_path = "/".join(path)
        for index, (weight, dataset) in enumerate(_datasets_of(layer, "")):
            found.append(StoredTensor(layer_path, index, weight, dataset))
        if "layers" in layer:
            _collect_layers(layer["layers"], path, found, keyed, f"{where}/layers")


def _vars_name(group) -> str | None:
    name = group["vars"].attrs.get("name") if "vars" in group else None
    return name.decode() if isinstance(name, bytes) else name


def _datasets_of(group, prefix: str) -> list[tuple[str, object]]:
    """The group's own `vars/0..n`, then its sub-objects' (forward before backward, then by name)."""
    found = []
    if "vars" in group:
        found = [(f"{prefix}vars/{i}", group["vars"][str(i)]) for i in range(len(group["vars"]))]
    children = sorted(
        (k for k in group if k not in ("vars", "layers")), key=lambda k: (CHILD_ORDER.get(k, 2), k)
    )
    for key in children:
        found.extend(_datasets_of(group[key], f"{prefix}{key}/"))
    return found


# -- legacy .h5 layout ----------------------------------------------------------------------------


def _legacy_tensors(handle, envelope: dict | None = None) -> list[StoredTensor]:
    """`model_weights/<layer>` groups; a nested model's weights go to its own layers (`encoder/dense`),
    found from the weight names and the stored config, as the `.keras` layout stores them."""
    root = handle.get("model_weights", handle)
    nested = _nested_models(envelope if envelope is not None else _stored_config(handle))
    found: list[StoredTensor] = []
    counts: dict[str, int] = {}
    for name in _string_list(root.attrs, "layer_names"):
        if name not in root:
            continue
        group = root[name]
        for weight in _string_list(group.attrs, "weight_names"):
            layer = _owner(name, weight, nested)
            index = counts.get(layer, 0)
            counts[layer] = index + 1
            found.append(StoredTensor(layer, index, weight, group[weight]))
    return found


def _owner(layer: str, weight: str, nested: dict[str, set[str]]) -> str:
    """The layer path a weight belongs to: `layer`, or a layer inside it when `layer` is a nested model
    and a component of the weight's name names one of its layers (at any depth: Keras 2 may leave the
    inner model's name out, `Conv1/kernel:0` for `outer/model1/Conv1`)."""
    parts = weight.split("/")[:-1]
    while layer in nested:
        inner = _inner_layer(parts, nested[layer])
        if inner is not None:
            layer, parts = f"{layer}/{inner[0]}", inner[1]
            continue
        deeper = [
            path for path in nested if path.startswith(f"{layer}/") and parts and parts[0] in nested[path]
        ]
        if not deeper:
            break
        layer = deeper[0]
    return layer


def _inner_layer(parts: list[str], names: set[str]) -> tuple[str, list[str]] | None:
    """(the first run of name components that names a layer, the components after it); the longest run
    wins, for tf.keras names holding `/` (`fc/dense/kernel:0` of a layer `fc/dense`)."""
    for start in range(len(parts)):
        for end in range(len(parts), start, -1):
            if "/".join(parts[start:end]) in names:
                return "/".join(parts[start:end]), parts[end:]
    return None


def _stored_config(handle) -> dict | None:
    """The model config a Keras 2 `.h5` model file holds (none in a weights-only file)."""
    text = handle.attrs.get("model_config")
    try:
        value = json.loads(text.decode() if isinstance(text, bytes) else text) if text else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _nested_models(config: dict | None) -> dict[str, set[str]]:
    """{path of a nested model: its layers' names}, from the model config."""
    from modelcfg_cli.document import is_model_entry, layer_name, model_layers

    found: dict[str, set[str]] = {}

    def visit(entry: dict, prefix: str) -> None:
        for child in model_layers(entry):
            if isinstance(child, dict) and is_model_entry(child):
                path = f"{prefix}{layer_name(child)}"
                found[path] = {layer_name(item) for item in model_layers(child) if isinstance(item, dict)}
                visit(child, path + "/")

    if isinstance(config, dict):
        visit(config, "")
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


def chunks(dataset, chunk_bytes: int = CHUNK_BYTES) -> Iterator[np.ndarray]:
    """A dataset's values in slices along its first axis, each about `chunk_bytes` (a scalar whole)."""
    shape = dataset.shape
    if not shape or shape[0] == 0:
        yield np.asarray(dataset[()])
        return
    row_bytes = max(1, dataset.dtype.itemsize * int(np.prod(shape[1:], dtype=np.int64)))
    step = max(1, chunk_bytes // row_bytes)
    for start in range(0, shape[0], step):
        yield dataset[start : start + step]
