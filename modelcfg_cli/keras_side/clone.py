"""`clone` end to end, the one sequence the command and the library share: check OUT, plan the rewrite
(read the source once), build and save it, and with `--check` compare the clone's outputs with the
source's. Planning needs no Keras, so a dry run or a refused plan never imports it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from modelcfg_cli.errors import UsageError
from modelcfg_cli.keras_side.clone_check import CloneCheck, check_clone_outputs
from modelcfg_cli.keras_side.compare import CompareOptions
from modelcfg_cli.keras_side.pipeline import (
    ClonePlan,
    CloneRefused,
    CloneResult,
    PostBuildStep,
    build,
    checked_save_format,
    plan_clone,
    post_build_steps,
)
from modelcfg_cli.keras_side.stages import stage
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES


@dataclass(frozen=True)
class CloneRequest:
    """What to clone and how: the rules, the build, the weights and the `--check` tolerances."""

    source: str
    out: str | None
    rules: object = None
    sets: tuple[str, ...] = ()
    strict: bool = False
    unsafe: bool = False
    imports: tuple[str, ...] = ()
    backend: str | None = None
    save_format: str | None = None
    schema_dirs: tuple[str, ...] = ()
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES
    upgrade: bool = True
    keep_weights: bool = False
    weights_file: str | None = None
    allow_fresh: tuple[str, ...] = ()
    dry_run: bool = False
    check: bool = False
    atol: float | None = None
    rtol: float | None = None
    max_shard_size: float | None = None  # GB: a preset's weights above it are sharded

    @property
    def carry_weights(self) -> bool:
        """`--keep-weights`, or `--weights FILE` (which implies it)."""
        return self.keep_weights or bool(self.weights_file)


@dataclass(frozen=True)
class CloneRun:
    """How far a clone went: the plan always; the saved clone, or the check that refused it; the
    comparison of `--check`."""

    plan: ClonePlan
    result: CloneResult | None = None
    refused: CloneRefused | None = None
    check: CloneCheck | None = None


def run_clone(request: CloneRequest, post_build: Iterable[PostBuildStep] = ()) -> CloneRun:
    """Plan, then (not on a dry run, nor when the plan has problems) build, save and check."""
    started = time.perf_counter()
    save_format = None if request.dry_run else _save_format(request)
    plan = plan_clone(
        request.source,
        request.rules,
        request.sets,
        strict=request.strict,
        schema_dirs=request.schema_dirs,
        max_config_bytes=request.max_config_bytes,
        upgrade=request.upgrade,
        weights=request.weights_file,
        allow_fresh=tuple(request.allow_fresh),
    )
    if save_format is None or plan.problems:  # a dry run, or a plan that cannot be built
        return CloneRun(plan)
    if request.keep_weights and request.source != "-":
        _check_weights_readable(request.source)
    try:
        result = build(
            plan,
            str(request.out),
            save_format,
            unsafe=request.unsafe,
            imports=request.imports,
            backend=request.backend,
            post_build=post_build_steps(request.carry_weights, post_build),
            started=started,
            max_shard_size=request.max_shard_size,
        )
    except CloneRefused as exc:
        return CloneRun(plan, refused=exc)
    if not request.check:
        return CloneRun(plan, result)
    options = CompareOptions(
        request.atol, request.rtol, unsafe=request.unsafe, max_config_bytes=request.max_config_bytes
    )
    stage("comparing outputs (--check)")
    check = check_clone_outputs(plan.source, result.out, options)
    return CloneRun(plan, result, check=check)


def _check_weights_readable(source: str) -> None:
    """Open SOURCE's stored weights before any Keras work: a truncated or unreadable weights file is one
    line and exit 2, not a failure after building."""
    from modelcfg_cli.weights.stored import open_datasets

    with open_datasets(source):
        pass


def _save_format(request: CloneRequest) -> str:
    """The save format, after the output path and `--check` are checked."""
    if not request.out:
        raise UsageError("clone", "missing -o OUT (or pass --dry-run)")
    save_format = checked_save_format(request.source, str(request.out), request.save_format)
    if request.allow_fresh and not request.carry_weights:
        raise UsageError("--allow-fresh", "needs --keep-weights (or --weights FILE)")
    if request.check and (not request.carry_weights or save_format == "json"):
        raise UsageError("--check", "needs --keep-weights and a .keras or .h5 output (weights to compare)")
    return save_format


def clone(
    source: str,
    out: str,
    rules: object = None,
    sets: Iterable[str] = (),
    *,
    strict: bool = False,
    unsafe: bool = False,
    imports: tuple[str, ...] = (),
    backend: str | None = None,
    save_format: str | None = None,
    post_build: Iterable[PostBuildStep] = (),
    schema_dirs: tuple[str, ...] = (),
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
    upgrade: bool = True,
    keep_weights: bool = False,
    weights: str | None = None,
    allow_fresh: Iterable[str] = (),
) -> CloneResult:
    """Rewrite SOURCE with `rules`, build it in Keras and save it to OUT (nothing written on failure;
    `CloneRefused` when the rewritten model has problems).

    With no rules this is `keras.models.clone_model`: the same config, fresh weights; `keep_weights`
    carries the source's weights over as Keras addresses them (from `weights` when given: it implies
    `keep_weights`), and refuses (`WeightsLost`, a `CloneRefused`) to lose a stored tensor unless the
    rules made it unplaceable or `allow_fresh` names its layer."""
    request = CloneRequest(
        str(source),
        str(out),
        rules,
        tuple(sets),
        strict=strict,
        unsafe=unsafe,
        imports=tuple(imports),
        backend=backend,
        save_format=save_format,
        schema_dirs=tuple(schema_dirs),
        max_config_bytes=max_config_bytes,
        upgrade=upgrade,
        keep_weights=keep_weights,
        weights_file=weights,
        allow_fresh=tuple(allow_fresh),
    )
    run = run_clone(request, post_build)
    if run.refused is not None:
        raise run.refused
    if run.result is None:
        problems = run.plan.problems
        raise CloneRefused(
            run.plan.source.label, f"the rewritten config has {len(problems)} problem(s)", problems
        )
    return run.result
