"""`clone --keep-weights`: carry a source model's weights into a freshly built clone (never by position).

A `.keras` zip or folder (also on stdin) goes by Keras's own structure (`carry.py`). A legacy `.h5`
goes by layer path: a layer keeps its arrays when its path and every weight shape match; it is
re-initialised when it is new or a shape changed (the report says which); source layers the clone lacks
are dropped. Keras 1 recurrent layers stored one array per gate (W_i, U_i, b_i, ...): they are joined
into Keras 3's kernel / recurrent_kernel / bias.
"""

from __future__ import annotations

import numpy as np

from modelcfg_cli.document import KERAS_FILE_FORMATS
from modelcfg_cli.errors import CloneError, SourceError
from modelcfg_cli.keras_side.unread import refuse_unread_weights
from modelcfg_cli.keras_side.weight_report import NEW_LAYER, NOT_FOUND, WeightReport, plural, shapes_text
from modelcfg_cli.weights.gates import keras1_gates as _keras1_gates

NO_WEIGHTS = "weights: the source holds none; every layer starts freshly initialised"


class NoStoredWeights(CloneError):
    """`--keep-weights` on a source that stores no tensors (a config only): there is nothing to keep."""


def transfer_weights(
    model, source_weights: dict[str, list[np.ndarray]], policy=None, renamed=None
) -> WeightReport:
    """Assign `source_weights` ({layer path: arrays}) into `model`'s layers with the same path (or the
    source path `renamed` maps a clone path to). A layer counts as kept once its variables, read back,
    equal the arrays bit for bit; `policy` (a `FreshPolicy`) judges every loss."""
    report = WeightReport(stored=sum(len(arrays) for arrays in source_weights.values()))
    judge = _Judge(policy)
    used: set[str] = set()
    for path, layer in _weighted_layers(model, ()):
        source = (renamed or {}).get(path, path)
        arrays = source_weights.get(source)
        if arrays is None:
            cause = judge.new_layer(path, source)
            report.add_reinitialised(path, NEW_LAYER if cause in (None, "by the rules") else NOT_FOUND, cause)
            continue
        used.add(source)
        wanted = [tuple(w.shape) for w in layer.weights]
        arrays = _keras1_gates(arrays, len(wanted))
        got = [tuple(a.shape) for a in arrays]
        if got != wanted:
            why = f"shape changed: {shapes_text(got)} -> {shapes_text(wanted)}"
            report.add_reinitialised(path, why, judge.refitted(path, source, True))
            continue
        layer.set_weights(arrays)
        if callable(getattr(layer, "finalize_state", None)):
            layer.finalize_state()  # a Normalization's mean and variance follow its variables
        if not _holds(layer, arrays):
            why = "Keras did not keep the stored values"
            report.add_reinitialised(path, why, judge.refitted(path, source, False))
            continue
        report.kept.append(path)
        report.carried += len(source_weights[source])
    for path in sorted(set(source_weights) - used):
        why = f"{plural(len(source_weights[path]), 'tensor')} not in the clone"
        report.add_dropped(path, why, judge.dropped(path))
    return report


class _Judge:
    """The policy's verdicts, or none (every loss just reported) when there is no policy."""

    def __init__(self, policy):
        self.policy = policy

    def __getattr__(self, name):
        method = getattr(self.policy, name, None)
        return method if method is not None else (lambda *args: None)


def _holds(layer, arrays: list[np.ndarray]) -> bool:
    """The layer's variables, read back, are `arrays` bit for bit (cast to the variable's dtype)."""
    from modelcfg_cli.keras_side.bit_check import as_array, same_bits

    values = [as_array(variable) for variable in layer.weights]
    return all(same_bits(np.asarray(a).astype(v.dtype), v) for a, v in zip(arrays, values, strict=True))


def _weighted_layers(model, prefix: tuple[str, ...]):
    """(path, layer) for every layer with weights; nested models are entered, not assigned whole."""
    for layer in getattr(model, "layers", []):
        path = (*prefix, layer.name)
        if hasattr(layer, "layers") and layer.layers and not hasattr(layer, "forward_layer"):
            yield from _weighted_layers(layer, path)
        elif layer.weights:
            yield "/".join(path), layer


def keep_weights(context) -> None:
    """Post-build step of `clone --keep-weights`: the source's weights into the clone. A Keras 3 `.keras`
    file (or its bytes from stdin) is carried as Keras addresses its weights; every other layout (legacy
    `.h5`, tf.keras files, SavedModel folders, `--weights FILE`, a model.json pair) by layer path. A loss
    no rule caused and no `--allow-fresh` allowed raises `WeightsLost` (nothing is written)."""
    from modelcfg_cli.keras_side.carry import affected
    from modelcfg_cli.keras_side.promise import WeightsLost, check_allowed, fresh_policy
    from modelcfg_cli.legacy.slashes import renamed_paths
    from modelcfg_cli.weights.stored import document_weights

    doc = context.source
    refuse_unread_weights(doc)
    policy = fresh_policy(context.plan, context.plan.allow_fresh)
    source = doc.data or doc.path
    if source is not None and keras3_file(doc):
        report = _carry_keras(context, source, policy)
    else:
        slashed = renamed_paths(doc.envelope)  # layers with `/` in their names were renamed
        weights = {slashed.get(path, path): arrays for path, arrays in document_weights(doc).items()}
        renamed = affected(context.plan.changes)[1]
        report = transfer_weights(context.model, weights, policy, renamed) if weights else None
    check_allowed(context.plan, report or WeightReport())
    if report is None or not report.stored:
        if context.model.weights:  # a model with weights, built from a file that stores none
            raise NoStoredWeights(
                doc.label,
                "--keep-weights: the source stores no weights (a config only); give the weights with "
                "--weights FILE, or drop --keep-weights to start fresh",
            )
        context.notes.append(NO_WEIGHTS)
        return
    if report.lost:
        raise WeightsLost(doc.label, report.lost, report.lines())
    context.notes.extend(report.lines())


def keras3_file(doc) -> bool:
    """A `.keras` zip or folder written by Keras 3 (tf.keras 2.x wrote other keys), with no `--weights`."""
    keras3 = doc.origin.format in KERAS_FILE_FORMATS and not doc.written_by_tf_keras
    return keras3 and not doc.origin.weights_file


def _carry_keras(context, source: str | bytes, policy) -> WeightReport | None:
    from modelcfg_cli.keras_side.carry import carry_weights
    from modelcfg_cli.keras_side.stores import open_source_store

    store = open_source_store(source)
    if store is None:
        return None
    if "layers" not in store.h5_file and any("_layer_checkpoint_dependencies" in k for k in store.h5_file):
        store.close()
        raise SourceError(
            context.source.label,
            "weights saved by tf.keras 2.13-2.15 do not record layer names; cannot match them by name",
        )
    stream = getattr(context, "stream", None)
    try:
        return carry_weights(context.keras, context.model, store, context.plan, policy, stream)
    finally:
        if stream is None:
            store.close()
        else:  # open until the clone is saved: its tensors are copied from it
            stream.store = store
