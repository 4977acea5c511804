"""`modelcfg scan`: what in a model file runs code or reaches outside Keras when loaded, without Keras."""

from __future__ import annotations

import io
import os
import sys

import click

from modelcfg_cli.commands.batch import run_each
from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import SourceError
from modelcfg_cli.output import make_console
from modelcfg_cli.output.findings import SCAN_WORDS, FileReport, render_text, to_github, to_json
from modelcfg_cli.scan import RULES, scan_model
from modelcfg_cli.sources import read_document, read_document_bytes


def scan_source(source: str, strict: bool, max_config_bytes: int) -> FileReport:
    """Read and scan one source (its archive members too); an unreadable one becomes a report with
    `read_error` set."""
    archive = None
    try:
        if source == "-":
            data = sys.stdin.buffer.read()
            doc = read_document_bytes("<stdin>", data, max_config_bytes)
            archive = io.BytesIO(data)
        else:
            doc = read_document(source, max_config_bytes)
    except SourceError as exc:
        return FileReport(source, read_error=str(exc))
    return FileReport(source, scan_model(doc, strict=strict, archive=archive))


@click.command("scan")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--strict", is_flag=True, help="Every finding is an error (custom classes included).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many files [default: cores]."
)
@max_config_bytes_option
@click.pass_context
def scan_command(ctx, sources, strict, fmt, jobs, max_config_bytes):
    """Find what in each SOURCE runs code or reaches outside Keras when it is loaded.

    Lambda layers, functions and classes from outside Keras, layers that load outside graphs
    (TFSMLayer, TorchModuleWrapper, JaxLayer, FlaxLayer), custom registered classes, and files
    in a .keras archive that Keras does not write (pickles, nested archives), at any depth,
    compile config included. Nothing is imported, unpickled or unmarshalled.

    Exit 0 when no file has an error-level finding, 1 when one has, 2 when a file cannot
    be read (the others are still scanned and reported).
    """
    options = (strict, max_config_bytes)
    jobs = jobs or os.cpu_count() or 1
    reports = run_each(scan_source, list(sources), options, jobs=jobs, color=color_of(ctx), label="scanning")
    for report in reports:
        if report.read_error is not None:
            click.echo(f"modelcfg: error: {report.read_error}", err=True)
    if fmt == "json":
        click.echo(to_json(reports), nl=False)
    elif fmt == "github":
        click.echo(to_github(reports, SCAN_WORDS), nl=False)
    elif fmt == "sarif":
        from modelcfg_cli.output.sarif import to_sarif

        click.echo(to_sarif(reports, RULES), nl=False)
    else:
        render_text(reports, make_console(color_of(ctx)), SCAN_WORDS)
    if any(r.read_error is not None for r in reports):
        ctx.exit(2)
    ctx.exit(0 if all(r.valid for r in reports) else 1)
