"""`modelcfg validate`: check configs against the bundled schemas and the graph rules, without Keras."""

from __future__ import annotations

import os
import sys

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import EXIT_TROUBLE, SourceError, exit_code
from modelcfg_cli.findings import WARNING, Finding
from modelcfg_cli.output import make_console
from modelcfg_cli.output.findings import FileReport, render_text, to_github, to_json
from modelcfg_cli.schemas import UserSchemas, validate_document
from modelcfg_cli.sources import read_document

PARALLEL_FROM = 8


def check_source(
    source: str, strict: bool, schema_dirs: tuple[str, ...], max_config_bytes: int, upgrade: bool = False
) -> FileReport:
    """Read and validate one source (upgraded to Keras 3 first with `upgrade`); an unreadable one becomes
    a report with `read_error` set."""
    from modelcfg_cli.legacy.dropped import dropped_findings
    from modelcfg_cli.legacy.upgrade import needs_upgrade, upgraded_with_notes

    try:
        doc = read_document(source, max_config_bytes)
    except SourceError as exc:
        return FileReport(source, read_error=str(exc))
    notes = []
    if upgrade:
        doc, upgrade_notes = upgraded_with_notes(doc)
        notes += dropped_findings(upgrade_notes, strict)
    elif needs_upgrade(doc):
        version = doc.keras_version or "an older Keras"
        notes.append(
            Finding(
                WARNING,
                "",
                f"saved by {version}: checked as stored; --upgrade checks "
                "the Keras 3 config that clone would build",
            )
        )
    return FileReport(source, notes + validate_document(doc, strict, schema_dirs))


def _check_many(sources, options: tuple, jobs: int, progress) -> list[FileReport]:
    if jobs <= 1 or len(sources) < PARALLEL_FROM:
        reports = []
        for source in sources:
            reports.append(check_source(source, *options))
            progress()
        return reports
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(sources))) as pool:
        futures = [pool.submit(check_source, source, *options) for source in sources]
        reports = []
        for future in futures:
            reports.append(future.result())
            progress()
        return reports


def run_checks(sources, options: tuple, jobs: int, color: str) -> list[FileReport]:
    """Every source checked in order, with a progress bar on stderr when it is a terminal."""
    if len(sources) < 2 or not sys.stderr.isatty():
        return _check_many(sources, options, jobs, lambda: None)
    from rich.progress import Progress

    with Progress(console=make_console(color, stderr=True), transient=True) as bar:
        task = bar.add_task("validating", total=len(sources))
        return _check_many(sources, options, jobs, lambda: bar.advance(task))


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
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True
)
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
    options = (strict, tuple(schema_dirs), max_config_bytes, upgrade)
    reports = run_checks(list(sources), options, jobs or os.cpu_count() or 1, color_of(ctx))
    for report in reports:
        if report.read_error is not None:
            click.echo(f"modelcfg: error: {report.read_error}", err=True)
    if fmt == "json":
        click.echo(to_json(reports), nl=False)
    elif fmt == "github":
        click.echo(to_github(reports), nl=False)
    else:
        render_text(reports, make_console(color_of(ctx)))
    if any(r.read_error is not None for r in reports):
        ctx.exit(EXIT_TROUBLE)
    ctx.exit(exit_code(not all(r.valid for r in reports)))
