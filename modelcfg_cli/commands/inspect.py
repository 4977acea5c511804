"""`modelcfg inspect`: a readable summary of a model, or a picture of its graph, without Keras."""

from __future__ import annotations

import shutil
import sys

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import UsageError
from modelcfg_cli.files import check_output_path
from modelcfg_cli.output import emit
from modelcfg_cli.output.summary import RENDERERS, InspectView
from modelcfg_cli.sources import read_document


def terminal_width() -> int | None:
    """The terminal's width (COLUMNS honoured) when stdout is one; None when piped (no limit)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


@click.command("inspect")
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RENDERERS)),
    help="text (default), json, or a picture of the layer graph: mermaid, dot, svg (default from -o's "
    "extension: .svg, .dot/.gv, .mmd).",
)
@click.option("--depth", type=click.IntRange(min=0), help="Show nested models down to this depth.")
@click.option("--wide", is_flag=True, help="On a terminal, show the whole config column (no ellipsis).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@max_config_bytes_option
@click.pass_context
def inspect_command(ctx, source, fmt, depth, wide, output, max_config_bytes):
    """Summarize SOURCE: class, Keras version, layer counts and a table of layers; or draw its graph."""
    from modelcfg_cli.output.pictures import format_of

    fmt = fmt or format_of(output) or "text"
    if output:
        check_output_path(output, (source,))
    if output and fmt == "text":
        raise UsageError(output, "-o needs --format json, mermaid, dot or svg")
    width = None if wide or output else terminal_width()
    from modelcfg_cli.weights.preset_summary import preset_summary

    doc = read_document(source, max_config_bytes)
    view = InspectView(doc, depth, width, preset_summary(doc) if fmt in ("text", "json") else None)
    emit(RENDERERS[fmt], view, color=color_of(ctx), output=output, protect=(source,))
