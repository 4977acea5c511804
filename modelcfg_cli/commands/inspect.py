"""`modelcfg inspect`: a readable summary of a model, without Keras."""

from __future__ import annotations

import json

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import UsageError
from modelcfg_cli.output import check_output_path, make_console, write_atomic
from modelcfg_cli.sources import read_document
from modelcfg_cli.summary import summarize


@click.command("inspect")
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "mermaid", "dot", "svg"]),
    help="text (default), json, or a picture of the layer graph: mermaid, dot, svg (default from -o's "
    "extension: .svg, .dot/.gv, .mmd).",
)
@click.option("--depth", type=click.IntRange(min=0), help="Show nested models down to this depth.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@max_config_bytes_option
@click.pass_context
def inspect_command(ctx, source, fmt, depth, output, max_config_bytes):
    """Summarize SOURCE: class, Keras version, layer counts and a table of layers; or draw its graph."""
    from modelcfg_cli.output.pictures import FORMATS, format_of, render_picture

    fmt = fmt or format_of(output) or "text"
    if output:
        check_output_path(output, (source,))
        if fmt == "text":
            raise UsageError(output, "-o needs --format json, mermaid, dot or svg")
    document = read_document(source, max_config_bytes)
    if fmt == "text":
        render_summary(summarize(document, depth), make_console(color_of(ctx)))
        return
    if fmt in FORMATS:
        text = render_picture(document, fmt)
    else:
        text = json.dumps(summarize(document, depth), indent=2) + "\n"
    if output:
        write_atomic(output, text, protect=(source,))
    else:
        click.echo(text, nl=False)


COLUMNS = ("layer", "class", "inbound", "config", "trainable", "dtype")


def render_summary(summary: dict, console) -> None:
    """Header, counts line and an aligned layer table; nested and wrapped layers indented under their
    parent. Plain text (no markup), so names with brackets print as they are and 10,000 rows are fast."""
    version = summary["keras_version"] or "unknown"
    console.print(f"{summary['class_name']} {summary['name']!r}", style="bold", end="", markup=False)
    console.print(
        f"  keras {version}  format {summary['format']}  {summary['layer_count']} layers", markup=False
    )
    if not summary["layers"]:
        console.print("no layer list in this config (a subclassed model keeps its layers in code)")
        return
    console.print(", ".join(f"{name} x{count}" for name, count in summary["counts"].items()), markup=False)
    rows = [_cells(row) for row in summary["layers"]]
    widths = [max(len(cells[i]) for cells in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    console.print(_line(COLUMNS, widths), style="bold", markup=False, soft_wrap=True)
    console.print("\n".join(_line(cells, widths) for cells in rows), markup=False, soft_wrap=True)


def _cells(row: dict) -> tuple[str, ...]:
    indent = "  " * row["depth"] + ("└ " if row["wrapped"] else "")
    return (
        indent + row["name"],
        row["class_name"],
        ", ".join(row["inbound"]),
        " ".join(f"{key}={_short(value)}" for key, value in row["fields"].items()),
        "yes" if row["trainable"] else "no",
        row["dtype_policy"] or "",
    )


def _line(cells, widths) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _short(value: object) -> str:
    if isinstance(value, list):
        return "(" + ",".join("None" if v is None else str(v) for v in value) + ")"
    return str(value)
