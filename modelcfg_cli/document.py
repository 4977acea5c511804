"""`ModelDocument`: one saved model's config as plain data, with a walk over every layer."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypeGuard

from modelcfg_cli.errors import SourceError, UsageError

CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"
SHARD_INDEX = "model.weights.json"  # sharded weights: the index of `model_00000.weights.h5`, ...
KERAS_TENSOR = "__keras_tensor__"
KERAS_FILE_FORMATS = ("keras-zip", "keras-dir")
MODEL_CLASSES = frozenset({"Functional", "Sequential", "Model"})
WRAPPED_KEYS = ("layer", "backward_layer")
SHARED_ID_KEYS = frozenset({"shared_object_id"})


class _Missing:
    """The value of a key (or a dotted path) that a config does not have."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING = _Missing()


class Edge(NamedTuple):
    """One inbound tensor: the producing layer, its call (node) index and output (tensor) index."""

    layer: str
    node_index: int = 0
    tensor_index: int = 0


@dataclass(frozen=True)
class LayerRef:
    """A layer found in the config, with where it lives and what feeds it."""

    path: tuple[str, ...]
    pointer: str
    entry: dict = field(repr=False, compare=False)
    inbound: tuple[tuple[Edge, ...], ...] = ()
    wrapped: bool = False

    @property
    def name(self) -> str:
        return layer_name(self.entry)

    @property
    def class_name(self) -> str:
        return str(self.entry.get("class_name"))

    @property
    def registered_name(self) -> str | None:
        return self.entry.get("registered_name")

    @property
    def config(self) -> dict:
        config = self.entry.get("config")
        return config if isinstance(config, dict) else {}

    @property
    def path_str(self) -> str:
        return "/".join(self.path)

    @property
    def depth(self) -> int:
        return len(self.path) - 1

    @property
    def parent(self) -> tuple[str, ...]:
        return self.path[:-1]

    @property
    def is_model(self) -> bool:
        return is_model_entry(self.entry)

    @property
    def inbound_layers(self) -> list[str]:
        """Names of the layers feeding this one, in order, without repeats."""
        seen: dict[str, None] = {}
        for node in self.inbound:
            for edge in node:
                seen.setdefault(edge.layer, None)
        return list(seen)


@dataclass(frozen=True)
class Origin:
    """What the tool knows of where a document came from, apart from what the file says (`metadata`):
    the source format its reader found (`keras-zip`, `keras-dir`, `h5`, `json`, `yaml`, `json+weights`,
    `savedmodel`; None for a config given as data) and a weights file given apart from it (`--weights`)."""

    format: str | None = None
    weights_file: str | None = None


class ModelDocument:
    """A model config read from a source: envelope, metadata and a layer view."""

    def __init__(
        self,
        envelope: dict,
        metadata: dict,
        label: str,
        path: str | None = None,
        data: bytes | None = None,
        origin: Origin = Origin(),
    ):
        self.envelope = envelope
        self.metadata = metadata  # what the file says: keras_version, backend, date_saved, ...
        self.origin = origin
        self.label = label
        self.path = path
        self.data = data  # the bytes of a source read from stdin (its weights are in them)

    @property
    def class_name(self) -> str:
        return str(self.envelope.get("class_name"))

    @property
    def name(self) -> str | None:
        config = self.envelope.get("config")
        return config.get("name") if isinstance(config, dict) else None

    @property
    def keras_version(self) -> str | None:
        return self.metadata.get("keras_version")

    @property
    def written_by_tf_keras(self) -> bool:
        """A SavedModel folder, a TF.js layers model, or a `.keras` file whose metadata names Keras 1/2
        (tf.keras 2.13-2.15): layouts whose weights are keyed by checkpoint path, by TF variable name or by
        class and counter, not by layer name."""
        source_format = self.origin.format
        old = str(self.keras_version or "").startswith(("1.", "2."))
        return source_format in ("savedmodel", "tfjs-layers") or (source_format in KERAS_FILE_FORMATS and old)

    def full(self) -> dict:
        """The whole serialized object, as stored (a deep copy)."""
        return copy.deepcopy(self.envelope)

    def layers(self) -> Iterator[LayerRef]:
        """Every layer, depth first: nested models' layers and wrapped layers included."""
        yield from walk_layers(self.envelope, (), "")

    def find_layer(self, name: str) -> LayerRef:
        """The layer called `name` (or at path `outer/inner`), anywhere in the model."""
        refs = list(self.layers())
        exact = [ref for ref in refs if ref.path_str == name] or [ref for ref in refs if ref.name == name]
        if len(exact) > 1:
            paths = ", ".join(ref.path_str for ref in exact)
            raise UsageError(self.label, f"{len(exact)} layers are named {name!r}: {paths}; give the path")
        if exact:
            return exact[0]
        names = sorted({ref.name for ref in refs} | {ref.path_str for ref in refs})
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(self.label, f"no layer named {name!r}{hint}")


def document_from_payload(
    payload: object,
    label: str,
    metadata: dict | None = None,
    path: str | None = None,
    *,
    data: bytes | None = None,
    origin: Origin = Origin(),
) -> ModelDocument:
    """Turn whatever a source held into a `ModelDocument`, or explain why it is not a model config."""
    metadata = dict(metadata or {})
    envelope = to_envelope(label, payload, metadata)
    return ModelDocument(envelope, metadata, label, path, data, origin)


def to_envelope(label: str, payload: object, metadata: dict) -> dict:
    """The serialized-object form of a payload: full objects as they are, bare configs wrapped."""
    if isinstance(payload, list):
        if payload and all(_looks_like_layer(item) for item in payload):
            metadata.setdefault("envelope", "synthesized")
            return {"class_name": "Sequential", "config": payload}
        raise SourceError(label, "not a Keras model config: a list that is not a list of layers")
    if not isinstance(payload, dict):
        raise SourceError(label, f"not a Keras model config: expected an object, got {type_name(payload)}")
    if "class_name" in payload and "config" in payload:
        if not isinstance(payload["class_name"], str):
            raise SourceError(label, "not a Keras model config: class_name must be a string")
        if not isinstance(payload["config"], dict | list):
            raise SourceError(
                label,
                f"not a Keras model config: config must be an object, got {type_name(payload['config'])}",
            )
        for key in ("keras_version", "backend"):
            if key in payload:
                metadata.setdefault(key, payload[key])
        return {k: v for k, v in payload.items() if k not in ("keras_version", "backend")}
    if isinstance(payload.get("layers"), list):
        metadata.setdefault("envelope", "synthesized")
        if "input_layers" in payload or "output_layers" in payload:
            return {
                "module": "keras.src.models.functional",
                "class_name": "Functional",
                "config": payload,
                "registered_name": "Functional",
            }
        return {"module": "keras", "class_name": "Sequential", "config": payload, "registered_name": None}
    keys = ", ".join(repr(key) for key in sorted(map(str, payload))[:6]) or "none"
    raise SourceError(
        label,
        "not a Keras model config: expected 'class_name' and 'config' (a saved model) "
        f"or 'layers' (a get_config() dict); found keys: {keys}",
    )


def _looks_like_layer(item: object) -> TypeGuard[dict]:
    return isinstance(item, dict) and isinstance(item.get("class_name"), str) and "config" in item


def type_name(value: object) -> str:
    """JSON's name for the type of `value`."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def config_of(entry: dict) -> dict:
    """A serialized layer's `config` when it is a mapping, else an empty one."""
    config = entry.get("config")
    return config if isinstance(config, dict) else {}


def layer_name(entry: dict) -> str:
    """A serialized layer's name: the entry's own `name`, else its config's."""
    name = entry.get("name")
    if name is None and isinstance(entry.get("config"), dict):
        name = entry["config"].get("name")
    return str(name) if name is not None else ""


def is_model_entry(entry: dict) -> bool:
    """True for a serialized Functional/Sequential model (a nested model inside a config)."""
    config = entry.get("config")
    if isinstance(config, list):
        return True
    class_name = entry.get("class_name")
    return (isinstance(class_name, str) and class_name in MODEL_CLASSES) or (
        isinstance(config, dict) and isinstance(config.get("layers"), list)
    )


def model_layers(entry: dict) -> list:
    """The layer list of a serialized model (legacy list-style Sequential configs included)."""
    config = entry.get("config")
    if isinstance(config, list):
        return config
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        return config["layers"]
    return []


def dtype_policy(name: str) -> dict:
    """The serialized `DTypePolicy` called `name`, as Keras 3 writes it."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def is_sequential(entry: dict) -> bool:
    config = entry.get("config")
    if isinstance(config, list):
        return True
    return (
        isinstance(config, dict)
        and "input_layers" not in config
        and entry.get("class_name") not in ("Functional", "Model")
    )


def walk_layers(model: dict, prefix: tuple[str, ...], pointer: str) -> Iterator[LayerRef]:
    """Yield the layers of a serialized model, recursing into nested models and wrappers."""
    config = model.get("config")
    list_pointer = f"{pointer}/config" if isinstance(config, list) else f"{pointer}/config/layers"
    sequential = is_sequential(model)
    previous: str | None = None
    for index, entry in enumerate(model_layers(model)):
        if not isinstance(entry, dict):
            continue
        here = f"{list_pointer}/{index}"
        name = layer_name(entry)
        inbound: tuple[tuple[Edge, ...], ...]
        if sequential:
            inbound = ((Edge(previous),),) if previous is not None else ()
        else:
            inbound = parse_inbound_nodes(entry.get("inbound_nodes"))
        path = (*prefix, name)
        yield LayerRef(path, here, entry, inbound)
        yield from _walk_inside(entry, path, here)
        previous = name


def _walk_inside(entry: dict, path: tuple[str, ...], pointer: str) -> Iterator[LayerRef]:
    if is_model_entry(entry):
        yield from walk_layers(entry, path, pointer)
        return
    config = entry.get("config")
    if not isinstance(config, dict):
        return
    for key in WRAPPED_KEYS:
        inner = config.get(key)
        if _looks_like_layer(inner):
            inner_path = (*path, layer_name(inner) or key)
            inner_pointer = f"{pointer}/config/{key}"
            yield LayerRef(inner_path, inner_pointer, inner, (), wrapped=True)
            yield from _walk_inside(inner, inner_path, inner_pointer)


def parse_inbound_nodes(nodes: object) -> tuple[tuple[Edge, ...], ...]:
    """Inbound edges per call, from the Keras 3 `{args, kwargs}` or the legacy list format."""
    if not isinstance(nodes, list):
        return ()
    parsed = []
    for node in nodes:
        edges: list[Edge] = []
        if isinstance(node, dict):
            _collect_keras3_edges(node, edges)
        elif isinstance(node, list):
            _collect_legacy_edges(node, edges)
        parsed.append(tuple(edges))
    return tuple(parsed)


def _collect_keras3_edges(value: object, edges: list[Edge]) -> None:
    if isinstance(value, dict):
        if value.get("class_name") == KERAS_TENSOR:
            config = value.get("config")
            edge = edge_from_list(config.get("keras_history") if isinstance(config, dict) else None)
            if edge is not None:
                edges.append(edge)
            return
        for item in value.values():
            _collect_keras3_edges(item, edges)
    elif isinstance(value, list):
        for item in value:
            _collect_keras3_edges(item, edges)


def _collect_legacy_edges(node: list, edges: list[Edge]) -> None:
    edge = edge_from_list(node)
    if edge is not None:
        edges.append(edge)
        return
    for item in node:
        if isinstance(item, list):
            _collect_legacy_edges(item, edges)


def edge_from_list(value: object) -> Edge | None:
    """`[name, node_index, tensor_index, ...]` as an Edge, or None when it is not one."""
    if type(value) is list and len(value) >= 3:
        name, node, tensor = value[0], value[1], value[2]
        if type(name) is str and type(node) is int and type(tensor) is int:
            return Edge(name, node, tensor)
    return None


def io_edges(struct: object) -> list[Edge]:
    """The edges in a model's `input_layers` / `output_layers` (flat, nested or dict-shaped)."""
    edge = edge_from_list(struct)
    if edge is not None:
        return [edge]
    items = struct.values() if isinstance(struct, dict) else struct if isinstance(struct, list) else []
    edges: list[Edge] = []
    for item in items:
        edges.extend(io_edges(item))
    return edges


def strip_shared_ids(value: object) -> object:
    """A deep copy of `value` without `shared_object_id` keys (a Python id(), not config)."""
    if isinstance(value, dict):
        return {k: strip_shared_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [strip_shared_ids(v) for v in value]
    return value


def resolve_pointer(document: object, pointer: str, label: str) -> object:
    """Follow an RFC 6901 JSON pointer; a step that does not exist is a SourceError."""
    if pointer in ("", "/"):
        return document
    if not pointer.startswith("/"):
        raise SourceError(label, f"JSON pointer must start with '/', got {pointer!r}")
    value = document
    walked = ""
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        walked += "/" + raw
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise SourceError(label, f"JSON pointer {pointer!r}: nothing at {walked!r}")
    return value
