"""`modelcfg inspect`: a readable summary of a model, without Keras."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.output import make_console
from modelcfg_cli.sources import read_document
from modelcfg_cli.summary import summarize


@click.command("inspect")
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--depth", type=click.IntRange(min=0), help="Show nested models down to this depth.")
@click.option("--wide", is_flag=True, help="On a terminal, show the whole config column (no ellipsis).")
@max_config_bytes_option
@click.pass_context
def inspect_command(ctx, source, fmt, depth, wide, max_config_bytes):
    """Summarize SOURCE: class, Keras version, layer counts and a table of layers."""
    summary = summarize(read_document(source, max_config_bytes), depth)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    render_summary(summary, make_console(color_of(ctx)), None if wide else terminal_width())


COLUMNS = ("layer", "class", "inbound", "config", "trainable", "dtype")


def terminal_width() -> int | None:
    """The terminal's width (COLUMNS honoured) when stdout is one; None when piped (no limit)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def render_summary(summary: dict, console, width: int | None = None) -> None:
    """Header, counts line and an aligned layer table; nested and wrapped layers indented under their
    parent; the config column cut with an ellipsis to fit `width`. Plain text (no markup), so names with
    brackets print as they are and 10,000 rows are fast."""
    version = summary["keras_version"] or "unknown"
    name = "(unnamed)" if summary["name"] is None else repr(summary["name"])
    console.print(f"{summary['class_name']} {name}", style="bold", end="", markup=False)
    console.print(
        f"  keras {version}  format {summary['format']}  {summary['layer_count']} layers", markup=False
    )
    if not summary["layers"]:
        console.print("no layer list in this config (a subclassed model keeps its layers in code)")
        return
    counts = ", ".join(f"{name} x{count}" for name, count in summary["counts"].items())
    console.print(textwrap.fill(counts, width) if width else counts, markup=False)
    rows = [_cells(row) for row in summary["layers"]]
    widths = [max(len(cells[i]) for cells in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    if width is not None:
        rows, widths = fit(rows, widths, width)
    console.print(_line(COLUMNS, widths), style="bold", markup=False, soft_wrap=True)
    console.print("\n".join(_line(cells, widths) for cells in rows), markup=False, soft_wrap=True)


def fit(rows: list[tuple[str, ...]], widths: list[int], width: int) -> tuple[list, list[int]]:
    """Rows whose config cells are shortened (ending in `…`) so that a table line fits `width`."""
    config = COLUMNS.index("config")
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    if excess <= 0:
        return rows, widths
    room = max(len(COLUMNS[config]) + 2, widths[config] - excess)
    cut = [(*cells[:config], _ellipsis(cells[config], room), *cells[config + 1 :]) for cells in rows]
    return cut, [room if i == config else w for i, w in enumerate(widths)]


def _ellipsis(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


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
