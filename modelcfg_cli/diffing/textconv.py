"""A model as deterministic, line-oriented text, for git's `textconv` (a model change reads as a text diff).

A header (model class and name, Keras version, the format), one block per layer in graph order with ties
broken by name, whatever order the file stores the layers in (class, inbound, then every config field
sorted, one a line, nested values flattened as `key.sub = value`), then a manifest of the stored weights:
one line per tensor with its layer path, position, shape, dtype and the first 12 hex digits of the sha256
of its bytes. The same model saved as `.keras`, folder or `.h5` gives the same text but for the `format:`
line.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from modelcfg_cli.diffing.layer_order import stable_order
from modelcfg_cli.document import ModelDocument, is_model_entry, strip_shared_ids
from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.stored import chunks, open_datasets

MODEL_KEYS = frozenset({"name", "layers", "input_layers", "output_layers"})
HASH_DIGITS = 12


def textconv_lines(doc: ModelDocument) -> list[str]:
    """The whole text form of `doc`, its stored weights included (when it has a file)."""
    lines = _header(doc)
    for ref in stable_order(doc.layers()):
        if not ref.wrapped:
            lines += ["", *_layer_block(ref)]
    lines += ["", *weights_lines(doc)]
    return lines + preset_lines(doc)


def preset_lines(doc: ModelDocument) -> list[str]:
    """A keras-hub preset's part configs (`part tokenizer.json` blocks) and assets (size and hash)."""
    from modelcfg_cli.diffing.preset_diff import digest
    from modelcfg_cli.sources.presets import assets, is_preset, preset_parts

    if doc.path is None or not is_preset(doc.path):
        return []
    lines: list[str] = []
    for part in preset_parts(doc.path):
        envelope = part.envelope or {}
        body = [f"class = {part.registered_name or part.class_name}"]
        config = envelope.get("config")
        body += flatten(config) if isinstance(config, dict) else [f"problem = {part.problem}"]
        lines += ["", f"part {part.file}", *("  " + line for line in body)]
    for name, _ in assets(doc.path):
        lines += ["", f"asset {name}: {digest(Path(doc.path) / name)}"]
    return lines


def _header(doc: ModelDocument) -> list[str]:
    lines = [f"model: {doc.class_name} {json.dumps(doc.name)}"]
    lines.append(f"keras_version: {doc.keras_version or 'unknown'}")
    lines.append(f"format: {doc.origin.format or 'unknown'}")
    config = doc.envelope.get("config")
    if isinstance(config, dict):
        own = {key: value for key, value in config.items() if key not in MODEL_KEYS}
        lines += flatten(own)
        lines += _io_lines(config)
    return lines


def _io_lines(config: dict) -> list[str]:
    return [
        f"{label} = {json.dumps(strip_shared_ids(config[key]))}"
        for key, label in (("input_layers", "inputs"), ("output_layers", "outputs"))
        if key in config
    ]


def _layer_block(ref) -> list[str]:
    """`layer PATH`, its class, inbound edges and config fields, indented."""
    lines = [f"class = {ref.class_name}"]
    edges = [
        edge.layer if (edge.node_index, edge.tensor_index) == (0, 0) else ":".join(map(str, edge))
        for node in ref.inbound
        for edge in node
    ]
    lines.append(f"inbound = {', '.join(edges)}")
    config = ref.config
    skip = MODEL_KEYS if is_model_entry(ref.entry) else frozenset({"name"})
    lines += flatten({key: value for key, value in config.items() if key not in skip})
    if is_model_entry(ref.entry):
        lines += _io_lines(config)
    return [f"layer {ref.path_str}", *("  " + line for line in lines)]


def flatten(value: object, prefix: str = "") -> list[str]:
    """`key.sub = value` lines, sorted by key; lists and scalars are JSON on one line."""
    if isinstance(value, dict) and value:
        lines = []
        for key in sorted(value, key=str):
            if key != "shared_object_id":
                lines += flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
        return lines
    text = json.dumps(strip_shared_ids(value), sort_keys=True, default=str)
    return [f"{prefix} = {text}"]


def weights_lines(doc: ModelDocument) -> list[str]:
    """`weights: N tensors, M values` and one line per tensor in graph order, or `weights: none stored`."""
    if doc.path is None and doc.data and doc.origin.format in ("keras-zip", "h5"):
        return _stdin_weights_lines(doc)
    if doc.path is None:
        return ["weights: none stored"]
    try:
        return _matched_weights_lines(doc)
    except SourceError as exc:
        with open_datasets(doc.path) as datasets:
            rows = [_dataset_row(name, dataset) for name, dataset in datasets]
        return [f"weights: {len(rows)} tensors, by stored path ({exc.message})", *rows]


def _stdin_weights_lines(doc: ModelDocument) -> list[str]:
    """A `.keras` or `.h5` read from stdin: its bytes go to a temporary file the weights are read from."""
    import os
    import tempfile

    handle, path = tempfile.mkstemp(prefix="modelcfg-stdin-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(doc.data or b"")
        return weights_lines(ModelDocument(doc.envelope, doc.metadata, doc.label, path, origin=doc.origin))
    finally:
        os.unlink(path)


def _matched_weights_lines(doc: ModelDocument) -> list[str]:
    from modelcfg_cli.weights.model_tensors import tensors_of

    with tensors_of(doc) as tensors:
        if not tensors:
            return ["weights: none stored"]
        order = {ref.path_str: index for index, ref in enumerate(stable_order(doc.layers()))}
        tensors = sorted(tensors, key=lambda t: (order.get(t.layer, len(order)), t.layer, t.index))
        rows = [_tensor_row(tensor) for tensor in tensors]
    total = sum(size for _, size in rows)
    return [f"weights: {len(rows)} tensors, {total} values", *(line for line, _ in rows)]


def _tensor_row(tensor) -> tuple[str, int]:
    return _dataset_row(f"{tensor.layer} [{tensor.index}]", tensor.dataset), int(tensor.dataset.size)


def _dataset_row(label: str, dataset) -> str:
    """`  LABEL SHAPE DTYPE HASH`: the hash is over the little-endian bytes, read in slices."""
    shape = "x".join(map(str, dataset.shape)) or "scalar"
    if dataset.dtype.kind not in "biufc":
        return f"  {label} {shape} {dataset.dtype}"
    little = dataset.dtype.newbyteorder("<")
    digest = hashlib.sha256()
    for chunk in chunks(dataset):
        digest.update(np.ascontiguousarray(chunk, dtype=little).tobytes())
    return f"  {label} {shape} {little.newbyteorder('=').name} {digest.hexdigest()[:HASH_DIGITS]}"


def hdf5_lines(path: str, reason: str) -> list[str]:
    """An HDF5 file that is not a whole model (a weights file, data): why, then every dataset's line."""
    with open_datasets(path) as datasets:
        return [f"hdf5: not a Keras model ({reason})", *(_dataset_row(name, item) for name, item in datasets)]
