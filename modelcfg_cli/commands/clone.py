"""`modelcfg clone`: rewrite a model with rules and save a freshly instantiated clone.

The click function only turns the command line into a `CloneRequest` and hands it to
`keras_side.clone.run_clone`, the pipeline the library's `clone()` runs too; this module reports how
far it went and picks the exit code.
"""

from __future__ import annotations

import sys

import click

from modelcfg_cli.commands.common import (
    color_of,
    max_config_bytes_option,
    weights_option,
    with_tolerance_options,
)
from modelcfg_cli.errors import EXIT_FOUND, EXIT_TROUBLE, exit_code
from modelcfg_cli.keras_side.backend import BACKENDS
from modelcfg_cli.legacy.dropped import is_warning, upgrade_warnings

REPORT_FORMATS = ("text", "json")
SAVE_FORMATS = ("keras", "h5", "json", "preset")


def _old_format_spelling(ctx: click.Context, _param, value: str | None) -> str | None:
    """`--format keras|h5` was the save format before `--format` meant the report everywhere."""
    if value in ("keras", "h5"):
        click.echo(f"modelcfg: warning: --format {value} is now --save-format {value}", err=True)
        ctx.meta["old_save_format"] = value
        return None
    return value


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
    "--save-format",
    type=click.Choice(SAVE_FORMATS),
    help="The clone's file format; preset: a keras-hub preset folder [default: OUT's extension; a "
    "folder or a name without one: preset].",
)
@click.option(
    "--max-shard-size",
    type=click.FloatRange(min=0, min_open=True),
    metavar="GB",
    help="A preset's weights larger than this are sharded (model.weights.json) [default: 10, as keras-hub].",
)
@click.option(
    "--keep-weights", is_flag=True, help="Carry the source's weights over, as Keras addresses them."
)
@weights_option
@click.option(
    "--allow-fresh",
    multiple=True,
    metavar="LAYER",
    help="With --keep-weights: LAYER may start fresh instead of failing the clone (repeatable).",
)
@click.option("--no-upgrade", is_flag=True, help="Do not upgrade a Keras 1/2 source (builtin:keras2).")
@click.option(
    "--check", is_flag=True, help="Then compare the clone's outputs with the source's (see `compare`)."
)
@with_tolerance_options
@click.option(
    "--format",
    "report",
    type=click.Choice([*REPORT_FORMATS, "keras", "h5"]),
    callback=_old_format_spelling,
    help="The report: text or json [default: text].",
)
@click.option("--report", "report_alias", type=click.Choice(REPORT_FORMATS), hidden=True)
@max_config_bytes_option
@click.pass_context
def clone_command(ctx, no_upgrade, report, report_alias, save_format, rules_files, **params):
    """Apply rules to SOURCE's config, build it in Keras and save it to OUT.

    The rewritten config is validated first (problems: exit 1, nothing written); OUT is written
    atomically, reloaded and checked. With no rules it is keras.models.clone_model: the same config,
    fresh weights.
    """
    from modelcfg_cli.keras_side.clone import CloneRequest

    if report_alias:
        click.echo(f"modelcfg: warning: --report {report_alias} is now --format {report_alias}", err=True)
    request = CloneRequest(
        **params,
        rules=rules_files,
        upgrade=not no_upgrade,
        save_format=save_format or ctx.meta.get("old_save_format"),
    )
    color = color_of(ctx)
    ctx.exit(show_run(_run_showing_stages(request, color), request, report or report_alias or "text", color))


def _run_showing_stages(request, color: str):
    """`run_clone`, its stages (building, carrying weights, saving, checking) shown on a terminal."""
    from modelcfg_cli.keras_side.clone import run_clone
    from modelcfg_cli.keras_side.stages import listening
    from modelcfg_cli.output.progress import stage_status

    with stage_status(color) as show, listening(show):
        return run_clone(request)


def show_run(run, request, report: str, color: str) -> int:
    """Report how far the clone went; the exit code."""
    if run.result is None and run.refused is None:
        return _stop_before_build(run.plan, request, report, color)
    if run.refused is not None:  # the report on stdout as on success; the error on stderr
        _show(run.plan, None, report, color)
        for line in getattr(run.refused, "report_lines", ()):  # the weight report of `WeightsLost`
            click.echo(line)
        click.echo(f"modelcfg: error: {run.refused}", err=True)
        for problem in run.refused.problems:
            click.echo(f"  {problem}", err=True)
        return EXIT_FOUND
    _show(run.plan, run.result, report, color)
    for warning in upgrade_warnings(run.result.notes):
        click.echo(f"modelcfg: warning: {request.source}: {warning}", err=True)
    return exit_code(False) if run.check is None else _show_check(run.check, quiet_stdout=report == "json")


def _show_check(check, quiet_stdout: bool) -> int:
    """`--check`: a line (on stderr when stdout carries JSON) and exit 0 within tolerance; one error line
    and exit 1 beyond it, exit 2 when the two cannot be compared. The clone is kept in every case."""
    from modelcfg_cli.output.compare_report import check_line

    if check.error is not None:
        click.echo(f"modelcfg: error: wrote {check.out}; cannot check it: {check.error}", err=True)
        return EXIT_TROUBLE
    if check.equal:
        click.echo(check_line(check.comparison), err=quiet_stdout)
    else:
        click.echo(f"modelcfg: error: wrote {check.out}; {check_line(check.comparison)}", err=True)
    return exit_code(not check.equal)


def _stop_before_build(plan, request, report: str, color: str) -> int:
    """A dry run's report, or the problems that keep the rewritten model from being built."""
    refused = bool(plan.problems) and not request.dry_run
    _show(plan, None, report, color)
    if refused:
        count = len(plan.problems)
        click.echo(
            f"modelcfg: error: {request.source}: {count} problem(s) in the rewritten model; nothing written",
            err=True,
        )
    return exit_code(bool(plan.problems))


def _show(plan, result, report: str, color: str) -> None:
    """The clone's report on stdout (the rules' changes, the result), whether or not it was refused."""
    from modelcfg_cli.output import print_segments
    from modelcfg_cli.output.clone_report import as_json, plan_lines, result_line

    if report == "json":
        click.echo(as_json(plan, result), nl=False)
        return
    lines = plan_lines(plan)
    if result is not None:
        lines.append(result_line(result))
        lines.extend([[(note, "")] for note in result.notes if not is_warning(note)])  # those: stderr
    print_segments(lines, color, sys.stdout)
    sys.stdout.flush()  # before an error line on stderr
