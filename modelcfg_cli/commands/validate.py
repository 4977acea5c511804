"""`modelcfg validate`: check configs against the bundled schemas and the graph rules, without Keras."""

from __future__ import annotations

import os

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import EXIT_TROUBLE, exit_code
from modelcfg_cli.output import emit
from modelcfg_cli.output.findings import RENDERERS
from modelcfg_cli.output.progress import progress
from modelcfg_cli.schemas import UserSchemas
from modelcfg_cli.validate import ValidateOptions, check_sources


@click.command("validate")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--strict", is_flag=True, help="A layer class with no schema is an error, not a warning.")
@click.option(
    "--schema-dir",
    "schema_dirs",
    multiple=True,
    metavar="DIR",
    help="Extra schemas for custom layers: DIR/<registered name or class name>.json (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many files [default: cores]."
)
@click.option(
    "--upgrade", is_flag=True, help="Check a Keras 1/2 config as upgraded to Keras 3 (builtin:keras2)."
)
@max_config_bytes_option
@click.pass_context
def validate(ctx, sources, strict, schema_dirs, fmt, jobs, upgrade, max_config_bytes):
    """Check each SOURCE's config: schemas per layer class and the layer graph.

    Exit 0 when no file has an error, 1 when one has, 2 when a file cannot be read
    (the others are still checked and reported).
    """
    UserSchemas(schema_dirs).load_all()
    options = ValidateOptions(strict, tuple(schema_dirs), max_config_bytes, upgrade)
    color = color_of(ctx)
    with progress("validating", len(sources), color) as done:
        reports = check_sources(list(sources), options, jobs=jobs or os.cpu_count() or 1, done=done)
    for report in reports:
        if report.read_error is not None:
            click.echo(f"modelcfg: error: {report.read_error}", err=True)
    emit(RENDERERS[fmt], reports, color=color)
    if any(r.read_error is not None for r in reports):
        ctx.exit(EXIT_TROUBLE)
    ctx.exit(exit_code(not all(r.valid for r in reports)))
