"""A TensorFlow.js layers model's weights by layer path, from its `.bin` shards, with numpy only.

Each manifest group's shards are concatenated in order and its weights read one after the other,
little-endian; `uint8`/`uint16` quantized weights are dequantized (`value * scale + min`, rounded for an
int32 weight) and `float16` ones widened to float32, as TensorFlow.js does on load.

Weights are placed by name, as TensorFlow.js's own `loadWeights` does: a name is a scope path ending in
the variable (`dense_Dense1/kernel`, `conv2d_1/bias`, `sequential_1/conv_pw_13/kernel`,
`bidirectional/forward_lstm/lstm_cell/kernel`). Its layer is the one whose name appears in the scopes,
the one with more of its enclosing models named there first; layers of the same name in different nested
models (whose weights carry no model prefix) take the names in layer order. A layer's weights keep
their manifest order: the converter writes each layer's in Keras order, and TensorFlow.js writes every
trainable weight before every non-trainable one, which keeps each layer's in Keras order too (a
BatchNormalization's `gamma`, `beta`, then `moving_mean`, `moving_variance`).
"""

from __future__ import annotations

import zipfile
from typing import Any

import numpy as np

from modelcfg_cli.document import walk_layers
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.tfjs import TfjsFiles, tfjs_model
from modelcfg_cli.sources.tfjs_manifest import ManifestWeight, WeightGroup, parse_manifest
from modelcfg_cli.weights.tf.shapes import check_layer_shapes


def read_tfjs_weights(files: TfjsFiles, label: str) -> dict[str, list[np.ndarray]]:
    """{layer path: arrays in Keras order} of a TF.js layers model (its parts from `sources.tfjs`)."""
    envelope = tfjs_model(label, files, None).payload
    found = place_weights(label, envelope, manifest_arrays(files, label))
    check_layer_shapes(_reset_before_gru(envelope), found, label)
    return found


def _reset_before_gru(value: Any) -> Any:
    """A copy of a config whose GRUs without `reset_after` say False: TensorFlow.js's GRU has no such
    option and computes the reset gate before the matrix product (one bias of 3 * units)."""
    if isinstance(value, list):
        return [_reset_before_gru(item) for item in value]
    if not isinstance(value, dict):
        return value
    copy = {key: _reset_before_gru(item) for key, item in value.items()}
    if copy.get("class_name") == "GRU" and isinstance(copy.get("config"), dict):
        copy["config"].setdefault("reset_after", False)
    return copy


def manifest_arrays(files: TfjsFiles, label: str) -> list[tuple[str, np.ndarray]]:
    """(name, array) of every weight of the manifest, in its order (groups one after the other)."""
    if "weightsManifest" not in files.payload and "weightSpecs" in files.payload:
        raise SourceError(label, "its weights are inline (weightSpecs and weightData), not shards: not read")
    groups = parse_manifest(label, files.payload.get("weightsManifest"))
    return [pair for group in groups for pair in decode_group(label, group, files.shards)]


def decode_group(label: str, group: WeightGroup, shards) -> list[tuple[str, np.ndarray]]:
    """(name, array) of every weight of the group, from its shards' bytes (sizes checked on reading)."""
    try:
        data = b"".join(shards.read(name) for name in group.paths)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise SourceError(label, f"cannot read a weights shard ({why})") from exc
    if len(data) != group.nbytes:
        raise SourceError(label, f"weights shards hold {len(data)} bytes, the manifest says {group.nbytes}")
    found, offset = [], 0
    for weight in group.weights:
        count = int(np.prod(weight.shape, dtype=np.int64))
        stored = np.frombuffer(data, dtype=weight.stored, count=count, offset=offset).reshape(weight.shape)
        found.append((weight.name, dequantized(stored, weight)))
        offset += weight.nbytes
    return found


def dequantized(stored: np.ndarray, weight: ManifestWeight) -> np.ndarray:
    """The weight's values in its own dtype (a native-endian copy)."""
    if weight.scale is None:
        return stored.astype(weight.dtype)
    values = stored.astype(np.float64) * weight.scale + (weight.minimum or 0.0)
    return np.round(values).astype(np.int32) if weight.dtype == "int32" else values.astype(np.float32)


def place_weights(label: str, envelope: dict, named: list[tuple[str, np.ndarray]]) -> dict:
    """{layer path: arrays}: each named weight given to its layer (see the module's docstring)."""
    leaves = [ref.path for ref in walk_layers(envelope, (), "") if not ref.is_model and not ref.wrapped]
    found: dict[str, list[np.ndarray]] = {}
    taken: dict[tuple[str, ...], set[str]] = {}
    for name, array in named:
        owner, rest = _owner(name, leaves, taken)
        if owner is None:
            raise SourceError(label, f"weight {name!r} of the weightsManifest names no layer of the model")
        taken.setdefault(owner, set()).add(rest)
        found.setdefault("/".join(owner), []).append(array)
    return found


def _owner(name: str, leaves: list[tuple[str, ...]], taken: dict) -> tuple[tuple[str, ...] | None, str]:
    """The layer path holding weight `name`, and the rest of the name after the layer's scope."""
    scopes = name.split("/")[:-1]
    scored = []
    for path in leaves:
        score = _score(path, scopes)
        if score is not None:
            scored.append((score, path))
    if not scored:
        return None, name
    best = max(score for score, _ in scored)
    tied = [path for score, path in scored if score == best]
    position = -best[1]
    rest = "/".join(name.split("/")[position + 1 :])
    free = [path for path in tied if rest not in taken.get(path, set())]
    return (free or tied)[0], rest


def _score(path: tuple[str, ...], scopes: list[str]) -> tuple[int, int] | None:
    """How well weight scopes `scopes` name layer `path`: (enclosing models named before the layer's
    name, minus the position of that name: the outermost mention wins), or None when not named."""
    best = None
    for index, scope in enumerate(scopes):
        if scope == path[-1]:
            before = set(scopes[:index])
            score = (sum(1 for parent in path[:-1] if parent in before), -index)
            best = score if best is None else max(best, score)
    return best
