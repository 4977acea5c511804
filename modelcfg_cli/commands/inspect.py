"""`modelcfg inspect`: a readable summary of a model, without Keras."""

from __future__ import annotations

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.output.summary import RENDERERS
from modelcfg_cli.sources import read_document
from modelcfg_cli.summary import summarize


@click.command("inspect")
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True)
@click.option("--depth", type=click.IntRange(min=0), help="Show nested models down to this depth.")
@max_config_bytes_option
@click.pass_context
def inspect_command(ctx, source, fmt, depth, max_config_bytes):
    """Summarize SOURCE: class, Keras version, layer counts and a table of layers."""
    summary = summarize(read_document(source, max_config_bytes), depth)
    RENDERERS[fmt](summary, color_of(ctx))
