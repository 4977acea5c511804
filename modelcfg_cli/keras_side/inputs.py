"""The inputs `compare` feeds both models: seeded arrays made from the first model's inputs, or a `.npz`.

A `None` axis becomes `batch` (the first) or `OTHER_AXIS` (the rest). Floats are standard normal;
booleans and inputs whose name says `mask` are all ones; integers are uniform in `[0, limit)`, where
`limit` is the smallest `input_dim` (or `num_tokens`) of the Embedding / CategoryEncoding layers the input
reaches through the graph, else `DEFAULT_INT_LIMIT`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modelcfg_cli.errors import SourceError, UsageError

OTHER_AXIS = 8
DEFAULT_INT_LIMIT = 10


@dataclass(frozen=True)
class InputSpec:
    """One model input as fed: its name, the concrete shape and dtype, and the integer range used."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    limit: int | None = None
    ones: bool = False


def input_names(model) -> list[str]:
    """The names of the model's inputs (their InputLayer names), in the model's order."""
    return [tensor._keras_history.operation.name for tensor in model_inputs(model)]


def model_inputs(model) -> list:
    """The model's symbolic input tensors; a model built without an Input has none to tell."""
    try:
        return list(model.inputs)
    except (AttributeError, ValueError):
        return []


def generated_inputs(keras, model, *, batch: int, seed: int) -> tuple[list[InputSpec], list[np.ndarray]]:
    """Seeded arrays for every input of `model`, and how each was made."""
    rng = np.random.default_rng(seed)
    limits = integer_limits(keras, model)
    specs, arrays = [], []
    for index, (name, tensor) in enumerate(zip(input_names(model), model_inputs(model), strict=True)):
        shape = tuple(
            (batch if axis == 0 else OTHER_AXIS) if size is None else int(size)
            for axis, size in enumerate(tensor.shape)
        )
        dtype = _numeric_dtype(name, str(tensor.dtype))
        ones = dtype.kind == "b" or "mask" in name.lower()
        limit = limits.get(index, DEFAULT_INT_LIMIT) if dtype.kind in "iu" and not ones else None
        specs.append(InputSpec(name, shape, dtype.name, limit, ones))
        arrays.append(_array(rng, shape, dtype, limit, ones))
    return specs, arrays


def _numeric_dtype(name: str, dtype: str) -> np.dtype:
    if dtype == "string":
        raise UsageError(name, "is a string input: pass its arrays with --inputs FILE.npz")
    return np.dtype(dtype)


def _array(rng, shape: tuple[int, ...], dtype: np.dtype, limit: int | None, ones: bool) -> np.ndarray:
    if ones:
        return np.ones(shape, dtype)
    if limit is not None:
        return rng.integers(0, limit, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def integer_limits(keras, model) -> dict[int, int]:
    """{input index: exclusive upper bound} for inputs that reach an Embedding or CategoryEncoding."""
    found = {}
    for index, tensor in enumerate(model_inputs(model)):
        limits = _reached_limits(keras, _graph(model), [tensor])
        if limits:
            found[index] = min(limits)
    return found


def _graph(model):
    """The Functional graph behind a model (a Sequential keeps one in `_functional`)."""
    return getattr(model, "_functional", None) or model


def _reached_limits(keras, graph, starts: list) -> list[int]:
    """Index limits of the lookup layers the `starts` tensors flow into, walking `graph` forward."""
    reached = {id(tensor) for tensor in starts}
    limits: list[int] = []
    for operation in getattr(graph, "operations", []):
        for node in operation._inbound_nodes:
            hit = [i for i, t in enumerate(node.input_tensors) if id(t) in reached]
            if not hit:
                continue
            own = _lookup_limits(keras, operation)
            if own:
                limits.extend(own)
                continue
            if hasattr(operation, "operations"):  # a nested model: follow the inputs reached
                inner = model_inputs(operation)
                limits.extend(
                    _reached_limits(keras, _graph(operation), [inner[i] for i in hit if i < len(inner)])
                )
            reached.update(id(t) for t in node.output_tensors)
    return limits


def _lookup_limits(keras, operation) -> list[int]:
    """`input_dim` / `num_tokens` of the lookup layers in `operation` (itself or its sub-layers), unless it
    is a model (walked through its graph instead)."""
    if hasattr(operation, "operations") or not hasattr(operation, "_flatten_layers"):
        return []
    kinds = (keras.layers.Embedding, keras.layers.CategoryEncoding)
    layers = [layer for layer in operation._flatten_layers(include_self=True) if isinstance(layer, kinds)]
    return [int(getattr(layer, "input_dim", None) or layer.num_tokens) for layer in layers]


def inputs_from_file(path: str, model) -> tuple[list[InputSpec], list[np.ndarray]]:
    """The arrays of an `.npz` named after `model`'s inputs, checked against the inputs' shapes."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise SourceError(path, "no such file") from None
    except (OSError, ValueError) as exc:
        raise SourceError(path, f"not a readable .npz file ({exc})") from None
    names = input_names(model)
    for name in names:
        if name not in stored:
            raise UsageError(
                path, f"no array named {name!r} for that input (the file has: {_listed(stored)})"
            )
    extra = sorted(set(stored) - set(names))
    if extra:
        raise UsageError(path, f"array {extra[0]!r} names no model input (inputs: {_listed(names)})")
    specs, arrays = [], []
    for name, tensor in zip(names, model_inputs(model), strict=True):
        array = stored[name]
        _check_fits(path, name, array.shape, tuple(tensor.shape))
        array = array.astype(str(tensor.dtype), copy=False)
        specs.append(InputSpec(name, tuple(array.shape), array.dtype.name))
        arrays.append(array)
    return specs, arrays


def _check_fits(path: str, name: str, got: tuple, wanted: tuple) -> None:
    fits = len(got) == len(wanted) and all(w is None or w == g for g, w in zip(got, wanted, strict=True))
    if not fits:
        raise UsageError(path, f"array {name!r} has shape {got}, the input takes {wanted}")


def _listed(names) -> str:
    return ", ".join(sorted(names)) or "nothing"
