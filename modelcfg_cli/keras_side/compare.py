"""`compare`: run two saved models on the same inputs and measure how far their outputs are apart.

Model A is the reference. An element is within tolerance when `|a - b| <= atol + rtol * |a|` (the rule of
`numpy.allclose`, relative to A); the models are equal when every output element is, no output holds a
NaN, and infinities sit at the same places with the same sign. `max_rel` is the largest `|a - b| / |a|`
over the elements where A is not 0 (where it is 0 only `atol` applies). An output looks like class scores
when its last axis is longer than 1, its values (in A) lie in [0, 1] and each row sums to 1 within 1e-3:
then `argmax_agree` is the share of rows whose argmax is the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modelcfg_cli.errors import ModelcfgError, UsageError
from modelcfg_cli.keras_side.inputs import InputSpec, generated_inputs, inputs_from_file, model_inputs
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES

# (atol, rtol) for the lowest-precision compute dtype in either model, when no tolerance is given
TOLERANCES = {"float16": (1e-3, 1e-2), "bfloat16": (1e-2, 5e-2), "float32": (1e-5, 1e-4)}
PRECISION_ORDER = ("bfloat16", "float16", "float32")
SUM_SLACK = 1e-3


class CompareError(ModelcfgError):
    """Keras could not run a model on the inputs."""


class ModelsDoNotMatch(CompareError):
    """The two models take or give a different number of tensors, or tensors of other shapes."""


@dataclass(frozen=True)
class CompareOptions:
    """How to compare: tolerances (None: from the models' compute dtypes), inputs, and loading."""

    atol: float | None = None
    rtol: float | None = None
    seed: int = 0
    batch: int = 4
    inputs_file: str | None = None
    unsafe: bool = False
    imports: tuple[str, ...] = ()
    backend: str | None = None
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES
    weights: tuple[str | None, str | None] = (None, None)  # --weights-a, --weights-b


@dataclass(frozen=True)
class OutputDiff:
    """How far one output of B is from the same output of A."""

    name: str
    shape: tuple[int, ...]
    max_abs: float
    max_rel: float
    mean_abs: float
    nan: tuple[int, int]
    inf: tuple[int, int]
    argmax_agree: float | None
    within: bool
    other_name: str | None = None


@dataclass(frozen=True)
class Comparison:
    """The whole result: both labels, the tolerance used, the inputs fed and one entry per output."""

    a: str
    b: str
    atol: float
    rtol: float
    inputs: tuple[InputSpec, ...]
    outputs: tuple[OutputDiff, ...]
    notes: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def equal(self) -> bool:
        return all(output.within for output in self.outputs)

    @property
    def failing(self) -> list[OutputDiff]:
        return [output for output in self.outputs if not output.within]


@dataclass(frozen=True)
class Ran:
    """What `compare` keeps of a model once it has run, so that the model itself can go: its input and
    output shapes, the names of its output layers, the compute dtypes in use and its outputs."""

    inputs: tuple[tuple, ...]
    outputs: tuple[tuple, ...]
    names: tuple[str, ...]
    dtypes: frozenset[str]
    values: tuple[np.ndarray, ...]


def ran(keras, model, arrays: list[np.ndarray] | None, label: str) -> Ran:
    """Run `model` on `arrays` (None: only its signature is kept) and keep what `compare` needs."""
    values = tuple(run(keras, model, arrays, label)) if arrays is not None else ()
    return Ran(
        tuple(tuple(t.shape) for t in model_inputs(model)),
        tuple(tuple(t.shape) for t in _model_outputs(model)),
        tuple(output_names(model)),
        frozenset(str(getattr(layer, "compute_dtype", "")) for layer in model._flatten_layers()),
        values,
    )


def compare(a: str, b: str, options: CompareOptions = CompareOptions()) -> Comparison:
    """Load A and B in Keras (a legacy file upgraded as `clone` does), run both on the same inputs."""
    from modelcfg_cli.keras_side.loading import load_source

    def loader(source: str, weights: str | None, side: str):
        return lambda keras: load_source(
            keras,
            source,
            unsafe=options.unsafe,
            max_config_bytes=options.max_config_bytes,
            weights=weights,
            option=f"--weights-{side}",
        )

    first, second = (loader(s, w, side) for s, w, side in zip((a, b), options.weights, "ab", strict=True))
    return compare_loaded(first, second, labels=(a, b), options=options)


def compare_loaded(load_a, load_b, *, labels: tuple[str, str], options: CompareOptions) -> Comparison:
    """Import Keras as `options` say and compare the two sides (`load_a(keras)` gives a `LoadedModel`),
    one at a time: A is loaded, run and let go (its outputs kept) before B is loaded."""
    import gc

    from modelcfg_cli.keras_side.backend import choose_backend, import_keras

    if options.batch < 1:
        raise UsageError("--batch", f"must be at least 1, got {options.batch}")
    keras = import_keras(choose_backend(options.backend, "compare"), tuple(options.imports))
    notes: list[str] = []
    results: list[Ran] = []
    specs, arrays = (), None
    for load, label in zip((load_a, load_b), labels, strict=True):
        loaded = load(keras)
        notes += [f"{loaded.label}: {note}" for note in loaded.notes]
        signature = ran(keras, loaded.model, None, label)
        check_signature(results[0] if results else signature, signature, labels)
        if arrays is None:
            specs, arrays = _inputs(keras, loaded.model, options)
        results.append(ran(keras, loaded.model, arrays, label))
        del loaded
        gc.collect()
    return _comparison(results[0], results[1], labels, options, specs, notes)


def _inputs(keras, model, options: CompareOptions):
    if options.inputs_file:
        return inputs_from_file(options.inputs_file, model)
    return generated_inputs(keras, model, batch=options.batch, seed=options.seed)


def _comparison(first: Ran, second: Ran, labels, options: CompareOptions, specs, notes) -> Comparison:
    atol, rtol = tolerance(options, first, second)
    diffs = []
    for index, (out_a, out_b) in enumerate(zip(first.values, second.values, strict=True)):
        if out_a.shape != out_b.shape:
            raise ModelsDoNotMatch(
                labels[1], f"output {index} came out {out_b.shape}, {labels[0]}'s {out_a.shape}"
            )
        name, other = first.names[index], second.names[index]
        diffs.append(
            output_diff(name, out_a, out_b, atol=atol, rtol=rtol, other_name=other if other != name else None)
        )
    seed = None if options.inputs_file else options.seed
    return Comparison(labels[0], labels[1], atol, rtol, tuple(specs), tuple(diffs), tuple(notes), seed)


def check_signature(first: Ran, second: Ran, labels: tuple[str, str]) -> None:
    """Raise `ModelsDoNotMatch` naming the first input or output that differs in number or shape between
    what was kept of two models."""
    for kind, shapes_a, shapes_b in (
        ("input", first.inputs, second.inputs),
        ("output", first.outputs, second.outputs),
    ):
        if not shapes_a:
            raise ModelsDoNotMatch(labels[0], f"the model has no defined {kind}s (build it with an Input)")
        if len(shapes_a) != len(shapes_b):
            raise ModelsDoNotMatch(
                labels[1], f"has {len(shapes_b)} {kind}(s), {labels[0]} has {len(shapes_a)}"
            )
        for index, (shape_a, shape_b) in enumerate(zip(shapes_a, shapes_b, strict=True)):
            if shape_a != shape_b:
                raise ModelsDoNotMatch(
                    labels[1], f"{kind} {index} has shape {shape_b}, {labels[0]} has {shape_a}"
                )


def _model_outputs(model) -> list:
    try:
        return list(model.outputs)
    except (AttributeError, ValueError):
        return []


def output_names(model) -> list[str]:
    """The name of the layer that gives each output."""
    return [tensor._keras_history.operation.name for tensor in _model_outputs(model)]


def run(keras, model, arrays: list[np.ndarray], label: str) -> list[np.ndarray]:
    """`model`'s outputs on `arrays` (in inference mode), flattened in the model's output order."""
    struct = getattr(getattr(model, "_functional", None) or model, "_inputs_struct", None)
    feed = keras.tree.pack_sequence_as(struct, arrays) if struct is not None else arrays
    if isinstance(feed, list) and len(feed) == 1:
        feed = feed[0]
    try:
        result = model.predict_on_batch(feed)
    except Exception as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise CompareError(label, f"Keras could not run the model: {type(exc).__name__}: {first}") from exc
    return [np.asarray(value) for value in keras.tree.flatten(result)]


def tolerance(options: CompareOptions, *models) -> tuple[float, float]:
    """`options`' atol/rtol, each defaulting to the one for the lowest-precision compute dtype in use."""
    atol, rtol = TOLERANCES[lowest_precision(*models)]
    return (
        atol if options.atol is None else options.atol,
        rtol if options.rtol is None else options.rtol,
    )


def lowest_precision(*models) -> str:
    """`bfloat16`, `float16` or `float32`: the least precise float compute dtype of any layer (of live
    models or of what `ran` kept of them)."""
    used: set[str] = set()
    for model in models:
        used |= model.dtypes if isinstance(model, Ran) else ran(None, model, None, "").dtypes
    return next((name for name in PRECISION_ORDER if name in used), "float32")


def output_diff(name: str, a: np.ndarray, b: np.ndarray, *, atol: float, rtol: float, other_name=None):
    """The differences between two outputs of the same shape, and whether they are within tolerance."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    finite = np.isfinite(a64) & np.isfinite(b64)
    diff = np.abs(a64[finite] - b64[finite])
    scale = np.abs(a64)[finite]
    nonzero = scale > 0
    same_specials = np.array_equal(a64[~finite], b64[~finite]) and np.array_equal(
        np.isfinite(a64), np.isfinite(b64)
    )
    nan = (int(np.isnan(a64).sum()), int(np.isnan(b64).sum()))
    inf = (int(np.isinf(a64).sum()), int(np.isinf(b64).sum()))
    within = not any(nan) and same_specials and bool(np.all(diff <= atol + rtol * scale))
    return OutputDiff(
        name,
        tuple(a.shape),
        float(diff.max()) if diff.size else 0.0,
        float((diff[nonzero] / scale[nonzero]).max()) if nonzero.any() else 0.0,
        float(diff.mean()) if diff.size else 0.0,
        nan,
        inf,
        argmax_agreement(a64, b64),
        within,
        other_name,
    )


def argmax_agreement(a: np.ndarray, b: np.ndarray) -> float | None:
    """The share of rows with the same argmax, when A looks like class scores; else None."""
    if a.ndim < 2 or a.shape[-1] < 2 or not np.all(np.isfinite(a)):
        return None
    if a.min() < 0 or a.max() > 1 or not np.allclose(a.sum(axis=-1), 1.0, rtol=0, atol=SUM_SLACK):
        return None
    return float(np.mean(np.argmax(a, axis=-1) == np.argmax(b, axis=-1)))
