"""`modelcfg inspect`: a readable summary of a model, without Keras."""

from __future__ import annotations

import json

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.output import make_console
from modelcfg_cli.sources import read_document
from modelcfg_cli.summary import summarize


@click.command("inspect")
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--depth", type=click.IntRange(min=0), help="Show nested models down to this depth.")
@max_config_bytes_option
@click.pass_context
def inspect_command(ctx, source, fmt, depth, max_config_bytes):
    """Summarize SOURCE: class, Keras version, layer counts and a table of layers."""
    summary = summarize(read_document(source, max_config_bytes), depth)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    render_summary(summary, make_console(color_of(ctx)))


def render_summary(summary: dict, console) -> None:
    """Header, counts line and a layer table; nested layers are indented under their model."""
    from rich.table import Table

    version = summary["keras_version"] or "unknown"
    console.print(
        f"[bold]{summary['class_name']}[/bold] {summary['name']!r}  "
        f"keras {version}  format {summary['format']}  {summary['layer_count']} layers"
    )
    if not summary["layers"]:
        console.print("no layer list in this config (a subclassed model keeps its layers in code)")
        return
    console.print(", ".join(f"{name} x{count}" for name, count in summary["counts"].items()))
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("layer", "class", "inbound", "config", "trainable", "dtype"):
        table.add_column(column)
    for row in summary["layers"]:
        indent = "  " * row["depth"] + ("└ " if row["wrapped"] else "")
        fields = " ".join(f"{key}={_short(value)}" for key, value in row["fields"].items())
        table.add_row(
            indent + row["name"],
            row["class_name"],
            ", ".join(row["inbound"]),
            fields,
            "yes" if row["trainable"] else "no",
            row["dtype_policy"] or "",
        )
    console.print(table)


def _short(value: object) -> str:
    if isinstance(value, list):
        return "(" + ",".join("None" if v is None else str(v) for v in value) + ")"
    return str(value)
