"""`modelcfg clone`: rewrite a model with rules and save a freshly instantiated clone.

The click function only turns the command line into a `CloneOptions`; `execute` does the work and
returns the exit code.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option, weights_option
from modelcfg_cli.commands.compare import with_tolerance_options
from modelcfg_cli.errors import EXIT_FOUND, UsageError, exit_code
from modelcfg_cli.keras_side.backend import BACKENDS
from modelcfg_cli.legacy.dropped import is_warning, upgrade_warnings

REPORT_FORMATS = ("text", "json")
SAVE_FORMATS = ("keras", "h5", "json")


@dataclass(frozen=True)
class CloneOptions:
    """Everything `clone` was asked, parsed."""

    source: str
    out: str | None
    rules_files: tuple[str, ...]
    sets: tuple[str, ...]
    dry_run: bool
    strict: bool
    unsafe: bool
    imports: tuple[str, ...]
    backend: str | None
    save_format: str | None
    keep_weights: bool
    weights_file: str | None
    upgrade: bool
    check: bool
    atol: float | None
    rtol: float | None
    report: str
    max_config_bytes: int

    @property
    def carry_weights(self) -> bool:
        return self.keep_weights or bool(self.weights_file)


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
    help="The clone's file format [default: OUT's extension].",
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
def clone_command(ctx, no_upgrade, report, report_alias, save_format, **params):
    """Apply rules to SOURCE's config, build it in Keras and save it to OUT.

    The rewritten config is validated first (problems: exit 1, nothing written); OUT is written
    atomically, reloaded and checked. With no rules it is keras.models.clone_model: the same config,
    fresh weights.
    """
    if report_alias:
        click.echo(f"modelcfg: warning: --report {report_alias} is now --format {report_alias}", err=True)
    options = CloneOptions(
        **params,
        upgrade=not no_upgrade,
        report=report or report_alias or "text",
        save_format=save_format or ctx.meta.get("old_save_format"),
    )
    ctx.exit(execute(options, color_of(ctx)))


def execute(options: CloneOptions, color: str) -> int:
    """Plan, build, save and (with `--check`) compare; the exit code."""
    # imported here: the rules engine, numpy and the clone machinery stay out of other commands' start-up
    from modelcfg_cli.keras_side.pipeline import CloneRefused, build, plan_clone, post_build_steps

    save_format = _checked_output(options)
    plan = plan_clone(
        options.source,
        options.rules_files,
        options.sets,
        strict=options.strict,
        max_config_bytes=options.max_config_bytes,
        upgrade=options.upgrade,
        weights=options.weights_file,
    )
    if options.dry_run or plan.problems:
        return _stop_before_build(plan, options, color)
    try:
        steps = post_build_steps(options.carry_weights)
        result = build(
            plan,
            options.out,
            save_format,
            unsafe=options.unsafe,
            imports=options.imports,
            backend=options.backend,
            post_build=steps,
        )
    except CloneRefused as exc:
        _show(plan, None, options.report, color, to_stderr=True)
        click.echo(f"modelcfg: error: {exc}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        return EXIT_FOUND
    _show(plan, result, options.report, color)
    for warning in upgrade_warnings(result.notes):
        click.echo(f"modelcfg: warning: {options.source}: {warning}", err=True)
    if not options.check:
        return exit_code(False)
    from modelcfg_cli.commands.compare import check_clone

    json_report = options.report == "json"
    return check_clone(
        options.source,
        options.out,
        options.atol,
        options.rtol,
        options.unsafe,
        options.max_config_bytes,
        json_report,
    )


def _checked_output(options: CloneOptions) -> str | None:
    """The save format, after the output path and `--check` are checked (nothing to check on a dry run)."""
    from modelcfg_cli.keras_side.pipeline import checked_output

    if options.dry_run:
        return None
    if not options.out:
        raise UsageError("clone", "missing -o OUT (or pass --dry-run)")
    save_format = checked_output(options.source, options.out, options.save_format)
    if options.check and (not options.carry_weights or save_format == "json"):
        raise UsageError("--check", "needs --keep-weights and a .keras or .h5 output (weights to compare)")
    return save_format


def _stop_before_build(plan, options: CloneOptions, color: str) -> int:
    """A dry run's report, or the problems that keep the rewritten model from being built."""
    refused = bool(plan.problems) and not options.dry_run
    _show(plan, None, options.report, color, to_stderr=refused)
    if refused:
        count = len(plan.problems)
        click.echo(
            f"modelcfg: error: {options.source}: {count} problem(s) in the rewritten model; nothing written",
            err=True,
        )
    return exit_code(bool(plan.problems))


def _show(plan, result, report: str, color: str, to_stderr: bool = False) -> None:
    from modelcfg_cli.output import print_segments
    from modelcfg_cli.output.clone_report import as_json, plan_lines, result_line

    if report == "json":
        click.echo(as_json(plan, result), nl=False)
        return
    lines = plan_lines(plan)
    if result is not None:
        lines.append(result_line(result))
        lines.extend([[(note, "")] for note in result.notes if not is_warning(note)])  # those: stderr
    print_segments(lines, color, sys.stderr if to_stderr else sys.stdout)
