"""A TensorFlow.js layers model: `model.json` (`modelTopology`, a Keras model config, and a
`weightsManifest` naming `.bin` shards), given as the file or its folder. Format `tfjs-layers`.

`tensorflowjs_converter` writes the topology as `{keras_version, backend, model_config,
training_config}`; TensorFlow.js itself (Teachable Machine) writes the model config with `keras_version`
(`tfjs-layers 1.3.1`) and `backend` beside `class_name`. The folder may come zipped (Teachable Machine's
download: `sources.zipped` finds the model.json member). A `metadata.json` beside it (Teachable
Machine's: `labels`, `modelName`, `tfjsVersion`, ...) is kept in the metadata. A TF.js *graph* model
(`format: graph-model`, a GraphDef topology) is refused: it is a TensorFlow graph, not a Keras model.
The weights are read by `modelcfg_cli.weights.tf.tfjs`; here the manifest is only checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from modelcfg_cli.document import METADATA_FILE, type_name
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel
from modelcfg_cli.sources.text import decode, json_object, parse_json, too_big
from modelcfg_cli.sources.tfjs_manifest import FolderShards, ZipShards, check_shards, parse_manifest

FORMAT = "tfjs-layers"
MODEL_JSON = "model.json"
TOPOLOGY = "modelTopology"
ENVELOPE_EXTRAS = ("keras_version", "backend", "training_config")


def is_tfjs(payload: object) -> TypeGuard[dict]:
    """True for a parsed TF.js `model.json` (it has a `modelTopology`)."""
    return isinstance(payload, dict) and TOPOLOGY in payload


def find_tfjs(folder: Path) -> Path | None:
    """The TF.js `model.json` of a folder: `model.json` when it holds a `modelTopology`, else the only
    other JSON file (not `metadata.json`) that does; None when there is none."""
    named = folder / MODEL_JSON
    try:
        candidates = [named] if named.is_file() else sorted(folder.glob("*.json"))
        found = [p for p in candidates if p.name != METADATA_FILE and p.is_file() and _mentions_topology(p)]
    except OSError:
        return None
    return found[0] if len(found) == 1 else None


def tfjs_json_of(path: Path) -> Path | None:
    """The TF.js `model.json` that `path` (a folder, or the file itself) stands for, else None."""
    if path.is_dir():
        return find_tfjs(path)
    try:
        with path.open("rb") as handle:
            starts_as_object = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    except OSError:
        return None
    return path if starts_as_object and _mentions_topology(path) else None


def _mentions_topology(path: Path) -> bool:
    with path.open("rb") as handle:
        return f'"{TOPOLOGY}"'.encode() in handle.read(1 << 20)


@dataclass(frozen=True)
class TfjsFiles:
    """A TF.js model's parts: its parsed `model.json`, where its shards are (None from stdin: the config
    alone), and its `metadata.json` (bytes, named `companion_name` in messages) when there is one."""

    payload: dict
    shards: FolderShards | ZipShards | None = None
    companion: bytes | None = None
    companion_name: str = METADATA_FILE


def folder_files(json_path: Path, max_config_bytes: int) -> TfjsFiles:
    """The `model.json` at `json_path`, its shards and `metadata.json` beside it."""
    payload = json_object(str(json_path), _read_text(json_path, max_config_bytes), "model.json")
    return files_beside(json_path, payload)


def files_beside(json_path: Path, payload: dict) -> TfjsFiles:
    """The parsed model.json at `json_path` with its shards and `metadata.json` beside it."""
    companion = json_path.parent / METADATA_FILE
    try:
        text = companion.read_bytes() if companion.is_file() else None
    except OSError as exc:
        raise SourceError(str(companion), f"cannot read the file ({exc.strerror or exc})") from exc
    return TfjsFiles(payload, FolderShards(json_path.parent), text, str(companion))


def _read_text(path: Path, cap: int) -> str:
    size = path.stat().st_size
    if size > cap:
        raise SourceError(str(path), too_big(size, cap))
    return decode(str(path), path.read_bytes())


def read_tfjs_file(label: str, json_path: Path, max_config_bytes: int) -> RawModel:
    """The `model.json` at `json_path` (found in the folder `label`) as a `RawModel`."""
    return tfjs_model(label, folder_files(json_path, max_config_bytes), str(json_path))


def tfjs_model(label: str, files: TfjsFiles, path: str | None) -> RawModel:
    """A TF.js model's parts as a `RawModel` whose path is `path` (the model.json, or the zip holding it);
    the manifest's shards are checked when they are at hand."""
    payload = files.payload
    topology = _topology(label, payload)
    inner = topology.get("model_config", topology)
    if not isinstance(inner, dict):
        raise SourceError(label, f"modelTopology.model_config must be an object, got {type_name(inner)}")
    envelope = {key: value for key, value in inner.items() if key not in ENVELOPE_EXTRAS}
    metadata = {
        key: topology[key] for key in ("keras_version", "backend") if isinstance(topology.get(key), str)
    }
    if topology.get("training_config") is not None:
        metadata["training_config"] = json.dumps(topology["training_config"])
    for key, name in (("generatedBy", "generated_by"), ("convertedBy", "converted_by")):
        if payload.get(key) is not None:
            metadata[name] = payload[key]
    if isinstance(payload.get("userDefinedMetadata"), dict):
        metadata["user_defined_metadata"] = payload["userDefinedMetadata"]
    groups = parse_manifest(label, payload.get("weightsManifest"))
    if files.shards is not None:
        check_shards(label, groups, files.shards)
    if files.companion is not None:
        metadata.update(companion_metadata(files.companion_name, files.companion))
    return RawModel(label, FORMAT, envelope, metadata, path)


def _topology(label: str, payload: dict) -> dict:
    topology = payload.get(TOPOLOGY)
    fmt = payload.get("format")
    if fmt == "graph-model" or (isinstance(topology, dict) and "node" in topology):
        raise SourceError(
            label, "a TensorFlow.js graph model: it holds a TensorFlow graph (GraphDef), not a Keras model"
        )
    if fmt not in (None, "layers-model"):
        raise SourceError(label, f"a TensorFlow.js model of format {fmt!r}, not a layers model")
    if not isinstance(topology, dict):
        raise SourceError(label, f"modelTopology must be a Keras model config, got {type_name(topology)}")
    return topology


def companion_metadata(name: str, data: bytes) -> dict:
    """What a `metadata.json` beside the model says (Teachable Machine's `labels`, or `wordLabels` of an
    audio model, and model name), as `{"labels": [...], "model_metadata": {...}}`."""
    value = parse_json(name, decode(name, data))
    if not isinstance(value, dict):
        raise SourceError(name, f"metadata must be a JSON object, got {type_name(value)}")
    found: dict = {"model_metadata": value}
    labels = value.get("labels", value.get("wordLabels"))
    if isinstance(labels, list) and all(isinstance(label, str) for label in labels):
        found["labels"] = labels
    return found
