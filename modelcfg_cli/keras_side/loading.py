"""A saved model as a live Keras model, with its weights, for `compare` and `clone --check`.

A Keras 3 `.keras` zip or model folder is loaded in bounded memory (`lean_load.py`), else, like an `.h5`,
by `keras.saving.load_model(compile=False)`.
Anything Keras 3 cannot load as it is (a Keras 1/2 or tf.keras file) goes the way `clone` takes it: the
`builtin:keras2` upgrade, a build from the upgraded config and the weight carry-over, in memory (nothing
written); so does any other format a reader gives weights for. A config without weights (JSON, YAML) is
refused: its outputs would come from random weights, unless a weights file is given for it
(`--weights-a/-b`): then it is built like `clone --weights` and every tensor of the file must fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from modelcfg_cli.document import KERAS_FILE_FORMATS, ModelDocument
from modelcfg_cli.errors import CloneError, SourceError
from modelcfg_cli.keras_side.build import instantiate, keras_error
from modelcfg_cli.keras_side.given_weights import carry_given_weights
from modelcfg_cli.keras_side.lean_load import lean_load
from modelcfg_cli.keras_side.pipeline import BuildContext, after_build, plan_document, post_build_steps
from modelcfg_cli.keras_side.transfer import NoStoredWeights
from modelcfg_cli.legacy.upgrade import needs_upgrade
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES, read_document
from modelcfg_cli.weights.given_file import with_weights_file

LOADABLE_FORMATS = ("keras-zip", "keras-dir", "h5")  # what Keras 3's load_model reads, when not legacy
CONFIG_ONLY_FORMATS = ("json", "yaml")


@dataclass(frozen=True)
class LoadedModel:
    """A built Keras model, the label to name it by, and what happened on the way (upgrade, weights)."""

    model: object
    label: str
    notes: tuple[str, ...] = ()


def load_source(
    keras,
    source: str,
    *,
    unsafe: bool = False,
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
    weights: str | None = None,
    option: str = "--weights",
) -> LoadedModel:
    """SOURCE as a Keras model with its stored weights, or those of `weights` (a file given with
    `option`); `unsafe` allows Lambda layers."""
    doc = with_weights_file(read_document(str(source), max_config_bytes), weights, option)
    return load_document(keras, doc, unsafe=unsafe, label=source)


def load_document(
    keras, doc: ModelDocument, *, unsafe: bool = False, label: str | None = None
) -> LoadedModel:
    """A document already read, as a Keras model with its weights (those of its given weights file,
    if any), named `label` (else the document's); the source is not read again unless Keras loads it."""
    source = label or doc.label
    weights = doc.origin.weights_file
    source_format = doc.origin.format
    if not doc.path:
        raise SourceError(source, "compare reads model files, not stdin (Keras loads weights from a path)")
    if source_format in CONFIG_ONLY_FORMATS and not weights:
        raise SourceError(source, "holds a config but no weights; compare needs stored weights on both sides")
    if source_format in LOADABLE_FORMATS and not needs_upgrade(doc) and not weights:
        lean = lean_load(keras, doc, not unsafe, source) if source_format in KERAS_FILE_FORMATS else None
        return LoadedModel(lean or _load_model(keras, doc.path, unsafe, source), source)
    return _upgraded(keras, doc, unsafe, source)


def _load_model(keras, path: str, unsafe: bool, label: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return keras.saving.load_model(path, compile=False, safe_mode=not unsafe)
    except Exception as exc:
        raise keras_error(label, exc) from exc


def _upgraded(keras, doc: ModelDocument, unsafe: bool, source: str) -> LoadedModel:
    """The document upgraded and built like `clone --keep-weights` (`clone --weights` when it has a given
    weights file) with no rules, kept in memory."""
    weights = doc.origin.weights_file
    plan = plan_document(doc)
    if plan.problems:
        raise CloneError(source, f"the upgraded config is not valid: {plan.problems[0]}")
    if plan.lambdas and not unsafe:
        raise CloneError(
            source,
            f"layer {plan.lambdas[0]!r} is a Lambda (Python bytecode stored in the file); "
            "rerun with --unsafe if you trust this model",
        )
    uncompiled = {**plan.rewritten.envelope, "compile_config": None}  # as load_model(compile=False)
    model = instantiate(keras, uncompiled, not unsafe, source)
    context = BuildContext(plan, model, keras)
    try:
        after_build(context, (carry_given_weights,) if weights else post_build_steps(True))
    except NoStoredWeights:
        raise CloneError(
            source, "holds no weights: its outputs would come from random ones (see --weights-a)"
        ) from None
    version = plan.source.keras_version or "an older Keras"
    upgraded = (f"upgraded from Keras {version}",) if needs_upgrade(plan.source) else ()
    given = (f"weights from {weights}",) if weights else ()
    return LoadedModel(context.model, source, (*upgraded, *given, *context.notes))
