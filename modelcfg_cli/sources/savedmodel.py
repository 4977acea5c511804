"""Read the Keras side of a tf.keras SavedModel folder (`keras_metadata.pb`) without TensorFlow.

`keras_metadata.pb` is a `SavedMetadata` message: repeated `SavedObject` nodes (field 1), each with
`node_id` (2), `node_path` (3, `root`, `root.layer_with_weights-0`, `root.layer-1.cell`), `identifier`
(4, `_tf_keras_sequential`, `_tf_keras_layer`, ...), a JSON `metadata` string (5) and a `VersionDef`
(6: producer, min_consumer). The root node's metadata holds the model's class, its config
(`model_config`), `keras_version` and `backend`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import modelcfg_cli.sources.protowire as pw
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel

SAVED_MODEL_FILE = "saved_model.pb"
KERAS_METADATA_FILE = "keras_metadata.pb"
MODEL_IDENTIFIERS = frozenset({"_tf_keras_network", "_tf_keras_sequential", "_tf_keras_model"})


@dataclass(frozen=True)
class SavedNode:
    """One Keras object of the SavedModel: where it is in the object graph and what Keras said of it."""

    node_id: int
    node_path: str
    identifier: str
    metadata: dict
    version: tuple[int, int]


@dataclass(frozen=True)
class KerasMetadata:
    """What `keras_metadata.pb` says: the root model's class and config envelope, the tf.keras version,
    and every node (root first)."""

    class_name: str
    config: dict
    keras_version: str | None
    backend: str | None
    training_config: dict | None
    nodes: tuple[SavedNode, ...]


def is_savedmodel(path: Path) -> bool:
    """True for a folder holding `saved_model.pb` (with or without Keras metadata)."""
    return (path / SAVED_MODEL_FILE).is_file()


def read_keras_metadata(folder: Path, label: str | None = None) -> KerasMetadata:
    """Parse `<folder>/keras_metadata.pb`; a SavedModel without it is refused with one line."""
    label = label or str(folder)
    meta_path = folder / KERAS_METADATA_FILE
    if not meta_path.is_file():
        raise SourceError(label, "a TensorFlow SavedModel without keras_metadata.pb: nothing Keras to read")
    try:
        data = meta_path.read_bytes()
    except OSError as exc:
        raise SourceError(str(meta_path), f"cannot read the file ({exc.strerror or exc})") from exc
    nodes = tuple(_node(raw, str(meta_path)) for raw in pw.message(data, str(meta_path)).get(1, []))
    roots = [node for node in nodes if node.node_path == "root"]
    if not roots:
        raise SourceError(str(meta_path), "corrupt keras_metadata.pb: no root object")
    root = roots[0].metadata
    envelope = root.get("model_config")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("config"), dict):
        raise SourceError(
            str(meta_path), f"the root object ({root.get('class_name')}) has no config: a subclassed model?"
        )
    training = root.get("training_config")
    return KerasMetadata(
        class_name=str(envelope.get("class_name", root.get("class_name"))),
        config=envelope,
        keras_version=root.get("keras_version"),
        backend=root.get("backend"),
        training_config=training if isinstance(training, dict) else None,
        nodes=tuple(sorted(nodes, key=lambda node: node.node_path != "root")),
    )


def _node(raw: bytes, label: str) -> SavedNode:
    fields = pw.message(raw, label)
    version = pw.message(pw.first(fields, 6, b""), label)
    text = pw.text(fields, 5, label)
    try:
        metadata = json.loads(text) if text else {}
    except (json.JSONDecodeError, RecursionError) as exc:
        raise SourceError(label, f"corrupt keras_metadata.pb: a node's metadata is not JSON ({exc})") from exc
    if not isinstance(metadata, dict):
        raise SourceError(label, "corrupt keras_metadata.pb: a node's metadata is not a JSON object")
    return SavedNode(
        node_id=pw.signed(pw.first(fields, 2, 0), 32),
        node_path=pw.text(fields, 3, label),
        identifier=pw.text(fields, 4, label),
        metadata=untuple(metadata),
        version=(pw.first(version, 1, 0), pw.first(version, 2, 0)),
    )


def untuple(value: Any) -> Any:
    """tf.keras's JSON encoding of tuples (`{"class_name": "__tuple__", "items": [...]}`) as lists."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and set(value) == {"class_name", "items"}:
            return [untuple(item) for item in value["items"]]
        return {key: untuple(item) for key, item in value.items()}
    if isinstance(value, list):
        return [untuple(item) for item in value]
    return value


def read_savedmodel(label: str, folder: Path):
    """The folder as a `sources.RawModel` (format `savedmodel`), like the other readers return."""

    meta = read_keras_metadata(folder, label)
    metadata: dict[str, Any] = {"keras_version": meta.keras_version, "backend": meta.backend}
    metadata = {key: value for key, value in metadata.items() if value is not None}
    if meta.training_config is not None:
        metadata["training_config"] = meta.training_config
    return RawModel(label, "savedmodel", meta.config, metadata, str(folder))
