"""The clone pipeline's two halves: `plan_document` (apply the rules, validate and diff the rewritten
config; no Keras, so `--dry-run` never imports it) and `build` (instantiate the plan in Keras, run the
post-build steps, save atomically, reload and verify). Keras is imported inside functions only.

Post-build steps (`BuildContext`) carry the source's weights by Keras's own structure, quantize, or do
what a library caller asks. `keras_side/clone.py` sequences the halves for the command and the library.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.diffing.diff import Change, diff
from modelcfg_cli.document import ModelDocument, document_from_payload
from modelcfg_cli.errors import CloneError, CloneRefused, UpgradeRefused, UsageError
from modelcfg_cli.files import check_output_path, format_by_extension
from modelcfg_cli.findings import ERROR, Finding
from modelcfg_cli.keras_side.backend import choose_backend, import_keras
from modelcfg_cli.keras_side.build import SUFFIXES, built_config
from modelcfg_cli.keras_side.compile_check import restorable_compile_config
from modelcfg_cli.keras_side.portable import portable_compile_config
from modelcfg_cli.keras_side.preset_out import check_preset_output
from modelcfg_cli.keras_side.quiet import H5_NOTE
from modelcfg_cli.keras_side.savers import FileSaver, PresetSaver, is_preset_path
from modelcfg_cli.keras_side.stages import stage
from modelcfg_cli.keras_side.streaming import build_model, settle, stream_for
from modelcfg_cli.keras_side.transfer import keep_weights as keep_source_weights
from modelcfg_cli.keras_side.transfer import keras3_file
from modelcfg_cli.keras_side.verify import check_clone
from modelcfg_cli.legacy.dropped import upgrade_warnings
from modelcfg_cli.legacy.upgrade import needs_upgrade
from modelcfg_cli.legacy.widths import fill_widths, unknown_widths
from modelcfg_cli.rules.api import as_ruleset
from modelcfg_cli.rules.engine import Report, apply
from modelcfg_cli.rules.hints import with_unset_hints
from modelcfg_cli.rules.model import RuleSet
from modelcfg_cli.rules.model_actions import quantized_policy
from modelcfg_cli.rules.setcli import parse_set
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES, read_document
from modelcfg_cli.weights.given_file import with_weights_file

STEP_STAGES = {"keep_weights": "carrying the weights", "quantize_step": "quantizing"}
FORMATS = {**{suffix: save_format for save_format, suffix in SUFFIXES.items()}, ".hdf5": "h5"}


@dataclass(frozen=True)
class ClonePlan:
    """Everything known before Keras: the source, the rewritten config, what changed, what is wrong."""

    source: ModelDocument
    rewritten: ModelDocument
    report: Report
    changes: list[Change]
    findings: list[Finding]
    strict: bool = False
    quantize: str | None = None  # a quantized `model.dtype_policy`: the mode, applied after the weights
    upgraded: ModelDocument | None = None  # the source after the built-in upgrade alone, when it ran
    allow_fresh: tuple[str, ...] = ()  # `--allow-fresh`: layers `--keep-weights` may leave fresh

    @property
    def problems(self) -> list[str]:
        """Reasons not to build: validation errors; under `strict`, rules that matched nothing and
        non-default values the upgrade dropped."""
        lines = [finding.line() for finding in self.findings if finding.severity == ERROR]
        if self.strict:
            lines += [f"{r.where}: rule matched no layer ({r.description})" for r in self.report.unmatched()]
            lines += [
                f"{r.where}: {w} (--strict)" for r in self.report.results for w in upgrade_warnings(r.notes)
            ]
        return lines

    @property
    def lambdas(self) -> list[str]:
        return [ref.path_str for ref in self.rewritten.layers() if ref.class_name == "Lambda"]


@dataclass
class BuildContext:
    """What a post-build step sees: the plan (with the source document, e.g. to read its weights), the
    built model and the keras module; steps append lines for the report to `notes`."""

    plan: ClonePlan
    model: Any  # a Keras model (Keras has no type information)
    keras: Any
    notes: list[str] = field(default_factory=list)
    stream: Any = None  # a `streaming.StreamState` when unchanged tensors go file to file

    @property
    def source(self) -> ModelDocument:
        return self.plan.source


PostBuildStep = Callable[[BuildContext], None]


@dataclass(frozen=True)
class CloneResult:
    """A finished clone: where it went and what it holds."""

    plan: ClonePlan
    out: str
    save_format: str
    backend: str
    layers: int
    params: int
    seconds: float
    notes: tuple[str, ...] = ()


def plan_clone(
    source: str,
    rules: Any = None,
    sets: Iterable[str] = (),
    *,
    strict: bool = False,
    schema_dirs: tuple[str, ...] = (),
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
    upgrade: bool = True,
    weights: str | None = None,
    allow_fresh: tuple[str, ...] = (),
) -> ClonePlan:
    """Read SOURCE (its weights from `weights` when given: `--weights`) and plan its rewrite; no Keras.
    The rules are read first: a broken rules file is reported before the source is opened. `allow_fresh`
    names the layers `--keep-weights` may leave freshly initialised."""
    ruleset = rules_with_sets(rules, sets)
    doc = with_weights_file(read_document(str(source), max_config_bytes), weights)
    plan = plan_document(doc, ruleset, strict=strict, schema_dirs=schema_dirs, upgrade=upgrade)
    return replace(plan, allow_fresh=tuple(allow_fresh))


def rules_with_sets(rules: Any, sets: Iterable[str] = ()) -> RuleSet:
    """`rules` (any form `as_ruleset` takes), then the `--set` edits."""
    ruleset = as_ruleset(rules)
    for option in sets:
        ruleset = ruleset + parse_set(option)
    return ruleset


def plan_document(
    doc: ModelDocument,
    rules: Any = None,
    sets: Iterable[str] = (),
    *,
    strict: bool = False,
    schema_dirs: tuple[str, ...] = (),
    upgrade: bool = True,
) -> ClonePlan:
    """Apply `rules` then the `--set` edits to `doc`, validate and diff the result; no Keras.

    A document older than Keras 3 is upgraded first (`builtin:keras2`) unless `upgrade` is false."""
    ruleset = rules_with_sets(rules, sets)
    upgraded = None
    if upgrade and needs_upgrade(doc):
        upgraded = _upgraded(doc)
        ruleset = as_ruleset("builtin:keras2") + ruleset
    try:
        envelope, report = apply(doc.envelope, ruleset, doc.metadata)
    except UpgradeRefused as exc:
        raise UpgradeRefused(doc.label, exc.message) from None
    envelope = with_stored_widths(doc, envelope)
    rewritten = document_from_payload(envelope, f"{doc.label} (rewritten)", doc.metadata, origin=doc.origin)
    quantized = quantized_policy(ruleset.model["dtype_policy"]) if "dtype_policy" in ruleset.model else None
    changes = diff(doc, rewritten)
    findings = with_unset_hints(validate_document(rewritten, False, schema_dirs), changes)
    mode = quantized[0] if quantized else None
    return ClonePlan(doc, rewritten, report, changes, findings, strict, mode, upgraded)


def with_stored_widths(doc: ModelDocument, envelope: dict) -> dict:
    """`envelope` (the rewritten `doc`) with the input widths its config left unknown taken from the
    weights `doc` stores (`legacy/widths.py`); itself when none is unknown."""
    if not unknown_widths(envelope):
        return envelope
    from modelcfg_cli.weights.stored import document_weights

    shapes = {path: [a.shape for a in arrays] for path, arrays in document_weights(doc).items()}
    envelope = copy.deepcopy(envelope)
    fill_widths(envelope, shapes)
    return envelope


def _upgraded(doc: ModelDocument) -> ModelDocument | None:
    """`doc` after the built-in upgrade alone (to tell the user's rules from it); None if it refuses."""
    try:
        envelope, _ = apply(doc.envelope, as_ruleset("builtin:keras2"), doc.metadata)
    except UpgradeRefused:
        return None
    return document_from_payload(envelope, f"{doc.label} (upgraded)", doc.metadata, origin=doc.origin)


def checked_save_format(source: str, out: str, save_format: str | None) -> str:
    """The format to save OUT in (`save_format`, else OUT's extension's), once OUT is known not to be the
    input, a symlink, a folder or in a folder that does not exist; a folder or a name without an
    extension is a keras-hub preset."""
    if save_format == "preset" or (save_format is None and is_preset_path(out)):
        check_preset_output(out, protect=(str(source),))
        return "preset"
    check_output_path(out, protect=(str(source),))
    return output_format(out, save_format)


def post_build_steps(keep_weights: bool, steps: Iterable[PostBuildStep] = ()) -> tuple[PostBuildStep, ...]:
    """The steps run on the built model: `steps`, then weight carry-over with `keep_weights`."""
    return (*steps, keep_source_weights) if keep_weights else tuple(steps)


def output_format(out: str, save_format: str | None) -> str:
    """`save_format`, else the format OUT's extension names; a `save_format` that contradicts the
    extension is refused (Keras could not load an HDF5 file named `.keras`)."""
    implied = format_by_extension(out, FORMATS)
    if save_format and implied and save_format != implied:
        raise UsageError(
            out, f"--save-format {save_format} contradicts the extension (a {implied} file name)"
        )
    found = save_format or implied
    if found is None:
        suffix = Path(out).suffix or "no extension"
        raise UsageError(out, f"cannot tell the format from {suffix!r}; pass --save-format keras|h5|json")
    return found


def build(
    plan: ClonePlan,
    out: str,
    save_format: str,
    *,
    unsafe: bool = False,
    imports: tuple[str, ...] = (),
    backend: str | None = None,
    post_build: Iterable[PostBuildStep] = (),
    started: float | None = None,
    max_shard_size: float | None = None,
) -> CloneResult:
    """Instantiate the plan's config in Keras, run the post-build steps, save, reload and check."""
    started = time.perf_counter() if started is None else started
    label = plan.source.label
    if plan.problems:
        raise CloneRefused(label, f"the rewritten config has {len(plan.problems)} problem(s)", plan.problems)
    if plan.lambdas and not unsafe:
        raise CloneError(
            label,
            f"layer {plan.lambdas[0]!r} is a Lambda (Python bytecode stored in the file); "
            "rerun with --unsafe if you trust this model (bytecode saved by another Python version "
            "cannot be revived: rewrite the Lambda as a layer)",
        )
    chosen = choose_backend(backend)
    stage("importing Keras")
    keras = import_keras(chosen, tuple(imports))
    envelope, portable_notes = portable_compile_config(keras, plan.rewritten.envelope)
    stream = stream_for(plan, save_format, tuple(post_build), keep_source_weights, keras3_file)
    envelope, compile_notes = restorable_compile_config(keras, envelope)
    stage("building the model")
    model = build_model(keras, envelope, not unsafe, label, stream)
    context = BuildContext(plan, model, keras, [*portable_notes, *compile_notes], stream=stream)
    try:
        after_build(context, (*post_build, quantize_step) if plan.quantize else post_build)
        stream = settle(context.model, stream, save_format, max_shard_size)
        saver = make_saver(plan, save_format, max_shard_size, stream)
        save_and_check(context, out, save_format, not unsafe, saver)
    finally:
        if context.stream is not None:
            context.stream.close()
    layers = sum(1 for ref in plan.rewritten.layers() if not ref.wrapped)
    params = int(context.model.count_params())
    seconds = time.perf_counter() - started
    return CloneResult(plan, out, save_format, chosen, layers, params, seconds, tuple(context.notes))


def make_saver(plan: ClonePlan, save_format: str, max_shard_size: float | None, stream):
    """The saver for `save_format`: a preset folder or one file; `stream` copies unchanged tensors."""
    if save_format == "preset":
        return PresetSaver(plan.source.path, max_shard_size, stream)
    return FileSaver(save_format, stream)


def save_and_check(context: BuildContext, out: str, save_format: str, safe_mode: bool, saver) -> None:
    """Save the clone beside OUT, check that Keras rebuilds the model the rules asked for, move it onto
    OUT (nothing is left behind on failure)."""
    keras, plan = context.keras, context.plan
    built = built_config(context.model, plan.source.label)
    stage(f"saving {out}")
    temp = saver.save(keras, context.model, out)
    if save_format == "h5":
        context.notes.append(H5_NOTE)
    try:
        stage("checking the saved model")
        saved = saver.reload(keras, temp, safe_mode, out)
        wrong, notes = check_clone(keras, plan.changes, built, saved)
        if wrong:
            raise CloneRefused(out, "the saved model is not the model the rules asked for", wrong)
        context.notes.extend(notes)
        saver.publish(temp, out)
    finally:
        saver.discard(temp)


def quantize_step(context: BuildContext) -> None:
    """Post-build step of a quantized `model.dtype_policy`: Keras quantizes the layers that support it,
    after their float weights were carried over."""
    from modelcfg_cli.keras_side.quiet import quiet

    mode = context.plan.quantize
    layers = list(context.model._flatten_layers())
    before = [layer.dtype_policy.name for layer in layers]
    with quiet():  # Keras warns about every layer without a quantized form
        context.model.quantize(mode)
    changed = sum(1 for layer, name in zip(layers, before, strict=True) if layer.dtype_policy.name != name)
    context.notes.append(f"quantized to {mode}: {changed} layer(s) (the layers Keras can quantize)")


def after_build(context: BuildContext, steps: Iterable[PostBuildStep]) -> None:
    """The post-build hook: each step (e.g. the weight carry-over) edits `context.model`."""
    for step in steps:
        stage(STEP_STAGES.get(getattr(step, "__name__", ""), "after the build"))
        step(context)
