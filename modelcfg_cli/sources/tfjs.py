"""A TensorFlow.js layers model: `model.json` (`modelTopology`, a Keras model config, and a
`weightsManifest` naming `.bin` shards), given as the file or its folder. Format `tfjs-layers`.

`tensorflowjs_converter` writes the topology as `{keras_version, backend, model_config,
training_config}`; TensorFlow.js itself (Teachable Machine) writes the model config with `keras_version`
(`tfjs-layers 1.3.1`) and `backend` beside `class_name`. A `metadata.json` beside it (Teachable
Machine's: `labels`, `modelName`, `tfjsVersion`, ...) is kept in the metadata. A TF.js *graph* model
(`format: graph-model`, a GraphDef topology) is refused: it is a TensorFlow graph, not a Keras model.
The weights are read by `modelcfg_cli.tf_weights.tfjs`; here the manifest is only checked.
"""

from __future__ import annotations

import json
from pathlib import Path

from modelcfg_cli.document import METADATA_FILE, type_name
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel
from modelcfg_cli.sources.text import decode, json_object, parse_json, too_big
from modelcfg_cli.sources.tfjs_manifest import check_shards, parse_manifest

FORMAT = "tfjs-layers"
MODEL_JSON = "model.json"
TOPOLOGY = "modelTopology"
ENVELOPE_EXTRAS = ("keras_version", "backend", "training_config")


def is_tfjs(payload: object) -> bool:
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


def read_tfjs_file(label: str, json_path: Path, max_config_bytes: int) -> RawModel:
    """The `model.json` at `json_path` (found in the folder `label`) as a `RawModel`."""
    size = json_path.stat().st_size
    if size > max_config_bytes:
        raise SourceError(str(json_path), too_big(size, max_config_bytes))
    payload = json_object(str(json_path), decode(str(json_path), json_path.read_bytes()), "model.json")
    return tfjs_model(label, payload, str(json_path))


def tfjs_model(label: str, payload: dict, json_path: str | None) -> RawModel:
    """A parsed TF.js `model.json` as a `RawModel` whose path is the `model.json` (None from stdin: the
    config alone); the manifest's shards are checked when the file's folder is known."""
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
    folder = Path(json_path).parent if json_path else Path()
    groups = parse_manifest(label, payload.get("weightsManifest"), folder)
    if json_path:
        check_shards(label, groups)
        metadata.update(companion_metadata(folder / METADATA_FILE))
    return RawModel(label, FORMAT, envelope, metadata, json_path)


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


def companion_metadata(path: Path) -> dict:
    """What a `metadata.json` beside the model says (Teachable Machine's `labels`, or `wordLabels` of an
    audio model, and model name), as
    `{"labels": [...], "model_metadata": {...}}`; nothing when there is none."""
    if not path.is_file():
        return {}
    try:
        text = decode(str(path), path.read_bytes())
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the file ({exc.strerror or exc})") from exc
    value = parse_json(str(path), text)
    if not isinstance(value, dict):
        raise SourceError(str(path), f"metadata must be a JSON object, got {type_name(value)}")
    found: dict = {"model_metadata": value}
    labels = value.get("labels", value.get("wordLabels"))
    if isinstance(labels, list) and all(isinstance(label, str) for label in labels):
        found["labels"] = labels
    return found
