"""Renderers for `inspect`: an aligned layer table, JSON, or a picture of the layer graph (mermaid, dot,
svg). `RENDERERS` maps each `--format` name to a function `(view, sink)`."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.output.pictures import FORMATS as PICTURES
from modelcfg_cli.output.preset import render_preset
from modelcfg_cli.summary import summarize

FORMAT_NAMES = {"savedmodel": "SavedModel"}
COLUMNS = ("layer", "class", "inbound", "config", "trainable", "dtype")


@dataclass(frozen=True)
class InspectView:
    """What `inspect` shows: the model, nested models down to `depth` (all when None)."""

    document: ModelDocument
    depth: int | None = None
    width: int | None = None
    preset: dict | None = None  # a keras-hub preset's parts and stored layers (`weights/preset_summary`)


def render_text(view: InspectView, sink) -> None:
    """Header, counts line and an aligned layer table; nested and wrapped layers indented under their
    parent. Plain text (no markup), so names with brackets print as they are and 10,000 rows are fast."""
    summary = summarize(view.document, view.depth)
    console = sink.console()
    version = summary["keras_version"] or "unknown"
    fmt = FORMAT_NAMES.get(summary["format"], summary["format"])
    name = "(unnamed)" if summary["name"] is None else repr(summary["name"])
    console.print(f"{summary['class_name']} {name}", style="bold", end="", markup=False)
    console.print(
        f"  {summary.get('saved_by', 'keras')} {version}  format {fmt}  {summary['layer_count']} layers",
        markup=False,
    )
    if summary.get("labels"):
        console.print(f"labels: {', '.join(summary['labels'])}", markup=False)
    if not summary["layers"]:
        if view.preset is not None:
            render_preset(view.preset, console)
            return
        console.print("no layer list in this config (a subclassed model keeps its layers in code)")
        return
    counts = ", ".join(f"{name} x{count}" for name, count in summary["counts"].items())
    console.print(textwrap.fill(counts, view.width) if view.width else counts, markup=False)
    rows = [_cells(row) for row in summary["layers"]]
    widths = [max(len(cells[i]) for cells in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    if view.width is not None:
        rows, widths = fit(rows, widths, view.width)
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


def render_json(view: InspectView, sink) -> None:
    """The summary as JSON."""
    summary = summarize(view.document, view.depth)
    if view.preset is not None:
        summary["preset"] = view.preset
    sink.write(json.dumps(summary, indent=2) + "\n")


def _picture(fmt: str):
    def render(view: InspectView, sink) -> None:
        from modelcfg_cli.output.pictures import render_picture

        sink.write(render_picture(view.document, fmt))

    render.__doc__ = f"The layer graph as {fmt}."
    return render


RENDERERS = {
    "text": render_text,
    "json": render_json,
    **{fmt: _picture(fmt) for fmt in PICTURES},
}
