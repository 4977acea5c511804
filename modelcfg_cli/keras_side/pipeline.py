"""The clone pipeline's two halves: `plan_document` (apply the rules, validate and diff the rewritten
config; no Keras, so `--dry-run` never imports it) and `build` (instantiate the plan in Keras, run the
post-build steps, save atomically, reload and verify). Keras is imported inside functions only.

Post-build steps (`BuildContext`) carry the source's weights by Keras's own structure, quantize, or do
what a library caller asks. `keras_side/clone.py` sequences the halves for the command and the library.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.diffing.diff import Change, diff
from modelcfg_cli.document import ModelDocument, document_from_payload
from modelcfg_cli.errors import CloneError, UpgradeRefused, UsageError
from modelcfg_cli.files import check_output_path, format_by_extension
from modelcfg_cli.findings import ERROR, Finding
from modelcfg_cli.keras_side.backend import choose_backend, import_keras
from modelcfg_cli.keras_side.build import SUFFIXES, built_config, instantiate, reload_config, save_temp
from modelcfg_cli.keras_side.portable import portable_compile_config
from modelcfg_cli.keras_side.quiet import H5_NOTE
from modelcfg_cli.keras_side.transfer import keep_weights as keep_source_weights
from modelcfg_cli.keras_side.verify import check_clone
from modelcfg_cli.legacy.dropped import upgrade_warnings
from modelcfg_cli.legacy.upgrade import needs_upgrade
from modelcfg_cli.rules.api import as_ruleset
from modelcfg_cli.rules.engine import Report, apply
from modelcfg_cli.rules.model import RuleSet
from modelcfg_cli.rules.model_actions import quantized_policy
from modelcfg_cli.rules.setcli import parse_set
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES, read_document
from modelcfg_cli.weights.given_file import with_weights_file

FORMATS = {**{suffix: save_format for save_format, suffix in SUFFIXES.items()}, ".hdf5": "h5"}


class CloneRefused(CloneError):
    """The rewritten model failed a check (invalid config, strict rule, reload mismatch): exit 1."""

    def __init__(self, where: str | None, message: str, problems: list[str]):
        super().__init__(where, message)
        self.problems = problems


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
    rules: object = None,
    sets: Iterable[str] = (),
    *,
    strict: bool = False,
    schema_dirs: tuple[str, ...] = (),
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
    upgrade: bool = True,
    weights: str | None = None,
) -> ClonePlan:
    """Read SOURCE (its weights from `weights` when given: `--weights`) and plan its rewrite; no Keras.
    The rules are read first: a broken rules file is reported before the source is opened."""
    ruleset = rules_with_sets(rules, sets)
    doc = with_weights_file(read_document(str(source), max_config_bytes), weights)
    return plan_document(doc, ruleset, strict=strict, schema_dirs=schema_dirs, upgrade=upgrade)


def rules_with_sets(rules: object, sets: Iterable[str] = ()) -> RuleSet:
    """`rules` (any form `as_ruleset` takes), then the `--set` edits."""
    ruleset = as_ruleset(rules)
    for option in sets:
        ruleset = ruleset + parse_set(option)
    return ruleset


def plan_document(
    doc: ModelDocument,
    rules: object = None,
    sets: Iterable[str] = (),
    *,
    strict: bool = False,
    schema_dirs: tuple[str, ...] = (),
    upgrade: bool = True,
) -> ClonePlan:
    """Apply `rules` then the `--set` edits to `doc`, validate and diff the result; no Keras.

    A document older than Keras 3 is upgraded first (`builtin:keras2`) unless `upgrade` is false."""
    ruleset = rules_with_sets(rules, sets)
    if upgrade and needs_upgrade(doc):
        ruleset = as_ruleset("builtin:keras2") + ruleset
    try:
        envelope, report = apply(doc.envelope, ruleset, doc.metadata)
    except UpgradeRefused as exc:
        raise UpgradeRefused(doc.label, exc.message) from None
    rewritten = document_from_payload(envelope, f"{doc.label} (rewritten)", doc.metadata, origin=doc.origin)
    findings = validate_document(rewritten, False, schema_dirs)
    quantized = quantized_policy(ruleset.model["dtype_policy"]) if "dtype_policy" in ruleset.model else None
    changes = diff(doc, rewritten)
    return ClonePlan(doc, rewritten, report, changes, findings, strict, quantized[0] if quantized else None)


def checked_save_format(source: str, out: str, save_format: str | None) -> str:
    """The format to save OUT in (`save_format`, else OUT's extension's), once OUT is known not to be the
    input, a symlink, a folder or in a folder that does not exist."""
    check_output_path(out, protect=(str(source),))
    return output_format(out, save_format)


def post_build_steps(keep_weights: bool, steps: Iterable[PostBuildStep] = ()) -> tuple[PostBuildStep, ...]:
    """The steps run on the built model: `steps`, then weight carry-over with `keep_weights`."""
    return (*steps, keep_source_weights) if keep_weights else tuple(steps)


def output_format(out: str, save_format: str | None) -> str:
    """`save_format`, else the format OUT's extension names."""
    found = save_format or format_by_extension(out, FORMATS)
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
    keras = import_keras(chosen, tuple(imports))
    envelope, portable_notes = portable_compile_config(keras, plan.rewritten.envelope)
    model = instantiate(keras, envelope, not unsafe, label)
    context = BuildContext(plan, model, keras, portable_notes)
    after_build(context, (*post_build, quantize_step) if plan.quantize else post_build)
    built = built_config(context.model, label)
    temp = save_temp(keras, context.model, out, save_format)
    if save_format == "h5":
        context.notes.append(H5_NOTE)
    try:
        saved = reload_config(keras, temp, save_format, not unsafe, out)
        wrong, notes = check_clone(keras, plan.changes, built, saved)
        if wrong:
            raise CloneRefused(out, "the saved model is not the model the rules asked for", wrong)
        context.notes.extend(notes)
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    layers = sum(1 for ref in plan.rewritten.layers() if not ref.wrapped)
    params = int(context.model.count_params())
    seconds = time.perf_counter() - started
    return CloneResult(plan, out, save_format, chosen, layers, params, seconds, tuple(context.notes))


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
        step(context)
