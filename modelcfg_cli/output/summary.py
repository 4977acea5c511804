"""Renderers for `inspect`'s summary: an aligned layer table, or JSON. `RENDERERS` maps each `--format`
name to a function `(summary, color) -> None` that writes to stdout."""

from __future__ import annotations

import json
import sys

from modelcfg_cli.output import make_console

FORMAT_NAMES = {"savedmodel": "SavedModel"}
COLUMNS = ("layer", "class", "inbound", "config", "trainable", "dtype")


def render_text(summary: dict, color: str) -> None:
    """Header, counts line and an aligned layer table; nested and wrapped layers indented under their
    parent. Plain text (no markup), so names with brackets print as they are and 10,000 rows are fast."""
    console = make_console(color)
    version = summary["keras_version"] or "unknown"
    fmt = FORMAT_NAMES.get(summary["format"], summary["format"])
    console.print(f"{summary['class_name']} {summary['name']!r}", style="bold", end="", markup=False)
    console.print(
        f"  {summary.get('saved_by', 'keras')} {version}  format {fmt}  {summary['layer_count']} layers",
        markup=False,
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


def render_json(summary: dict, color: str) -> None:
    """The summary as JSON on stdout."""
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")


RENDERERS = {"text": render_text, "json": render_json}
