"""`modelcfg clone`: rewrite a model with rules and save a freshly instantiated clone."""

from __future__ import annotations

import sys

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option, weights_option
from modelcfg_cli.commands.compare import with_tolerance_options
from modelcfg_cli.errors import EXIT_FOUND, UsageError, exit_code
from modelcfg_cli.keras_side.backend import BACKENDS


@click.command("clone")
@click.argument("source")
@click.option(
    "-o", "--output", "out", metavar="OUT", help="Where to save the clone (not needed with --dry-run)."
)
@click.option(
    "--rules", "rules_files", multiple=True, metavar="FILE", help="Rules file or builtin:NAME (repeatable)."
)
@click.option(
    "--set", "sets", multiple=True, metavar="PATH=VALUE", help="One-off edit: layers.NAME.FIELD=VALUE."
)
@click.option(
    "--dry-run", is_flag=True, help="Show what the rules change (old -> new); write nothing, no Keras."
)
@click.option("--strict", is_flag=True, help="A rule that matches no layer is a failure (exit 1).")
@click.option("--unsafe", is_flag=True, help="Allow Lambda layers (runs Python bytecode from the file).")
@click.option(
    "--import", "imports", multiple=True, metavar="MODULE", help="Import MODULE first (custom classes)."
)
@click.option(
    "--backend", type=click.Choice(BACKENDS), help="Keras backend [default: KERAS_BACKEND, else fastest]."
)
@click.option(
    "--format", "fmt", type=click.Choice(["keras", "h5", "json"]), help="[default: from OUT's extension]"
)
@click.option(
    "--keep-weights", is_flag=True, help="Carry the source's weights over, as Keras addresses them."
)
@weights_option
@click.option("--no-upgrade", is_flag=True, help="Do not upgrade a Keras 1/2 source (builtin:keras2).")
@click.option(
    "--check", is_flag=True, help="Then compare the clone's outputs with the source's (see `compare`)."
)
@with_tolerance_options
@click.option("--report", "report", type=click.Choice(["text", "json"]), default="text", show_default=True)
@max_config_bytes_option
@click.pass_context
def clone_command(
    ctx,
    source,
    out,
    rules_files,
    sets,
    dry_run,
    strict,
    unsafe,
    imports,
    backend,
    fmt,
    keep_weights,
    weights_file,
    no_upgrade,
    check,
    atol,
    rtol,
    report,
    max_config_bytes,
):
    """Apply rules to SOURCE's config, build it in Keras and save it to OUT.

    The rewritten config is validated first (problems: exit 1, nothing written); OUT is written
    atomically, reloaded and checked. With no rules it is keras.models.clone_model: the same config,
    fresh weights.
    """
    # imported here: the rules engine, numpy and the clone machinery stay out of other commands' start-up
    from modelcfg_cli.keras_side.pipeline import (
        CloneRefused,
        build,
        checked_output,
        plan_clone,
        post_build_steps,
    )

    if not dry_run:
        if not out:
            raise UsageError("clone", "missing -o OUT (or pass --dry-run)")
        fmt = checked_output(source, out, fmt)
        if check and (not (keep_weights or weights_file) or fmt == "json"):
            raise UsageError(
                "--check", "needs --keep-weights and a .keras or .h5 output (weights to compare)"
            )
    plan = plan_clone(source, rules_files, sets, strict, (), max_config_bytes, not no_upgrade, weights_file)
    color = color_of(ctx)
    if dry_run or plan.problems:
        _show(plan, None, report, color, to_stderr=bool(plan.problems) and not dry_run)
        if plan.problems and not dry_run:
            count = len(plan.problems)
            click.echo(
                f"modelcfg: error: {source}: {count} problem(s) in the rewritten model; nothing written",
                err=True,
            )
        ctx.exit(exit_code(bool(plan.problems)))
    try:
        steps = post_build_steps(keep_weights or bool(weights_file))
        result = build(plan, out, fmt, unsafe, tuple(imports), backend, steps)
    except CloneRefused as exc:
        _show(plan, None, report, color, to_stderr=True)
        click.echo(f"modelcfg: error: {exc}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        ctx.exit(EXIT_FOUND)
    _show(plan, result, report, color)
    if check:
        from modelcfg_cli.commands.compare import check_clone

        ctx.exit(check_clone(source, out, atol, rtol, unsafe, max_config_bytes, report == "json"))


def _show(plan, result, report: str, color: str, to_stderr: bool = False) -> None:
    from modelcfg_cli.output import print_segments
    from modelcfg_cli.output.clone_report import as_json, plan_lines, result_line

    if report == "json":
        click.echo(as_json(plan, result), nl=False)
        return
    lines = plan_lines(plan)
    if result is not None:
        lines.append(result_line(result))
        lines.extend([[(note, "")] for note in result.notes])
    print_segments(lines, color, sys.stderr if to_stderr else sys.stdout)
