"""The diff's pictures in its reports: a Mermaid block for the markdown comment, and the one-file HTML
page (inline CSS and SVG, no scripts, nothing fetched) with the summary, the graph and the tables."""

from __future__ import annotations

from modelcfg_cli.diffing.diff import KINDS, Change
from modelcfg_cli.output.changes import by_layer, counts_text, describe, value_text
from modelcfg_cli.pictures.diffgraph import DiffPicture, around_changes
from modelcfg_cli.pictures.svg import PALETTE, render_svg, xml_text

WHOLE_GRAPH_NODES = 300
LEGEND = (
    ("changed", "changed"),
    ("added", "added"),
    ("removed", "removed"),
    ("rewired", "rewired"),
    ("context", "unchanged neighbour"),
)


def markdown_graph(picture: DiffPicture) -> str:
    """A ```mermaid block of the changed layers and their neighbours, with a one-line legend."""
    from modelcfg_cli.pictures.mermaid import render_mermaid

    part = around_changes(picture)
    if not part.graph.nodes:
        return ""
    chart = render_mermaid(part.graph, status=part.status, edge_status=part.edge_status)
    legend = (
        "Yellow: changed, green: added, red (dashed): removed, blue: rewired, white: unchanged neighbour."
    )
    if part.left_out:
        legend += f" {part.left_out} more changed layer(s) not drawn."
    return f"#### Changed layers and their neighbours\n\n```mermaid\n{chart}```\n\n{legend}\n"


def html_page(changes: list[Change], summary: dict, picture: DiffPicture | None) -> str:
    """The whole page; `picture` None leaves the graph out."""
    sources = summary["sources"]
    title = f"modelcfg diff: {sources['a']} → {sources['b']}"
    body = [f"<h1>{xml_text(title)}</h1>", _verdict(changes, summary), _summary_table(summary)]
    columns = [_graph_section(picture)] if picture is not None and changes else []
    columns.append("\n".join(_layer_tables(changes)))
    body.append(
        '<div class="columns">' + "".join(f"<section>{part}</section>" for part in columns) + "</div>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{xml_text(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _verdict(changes: list[Change], summary: dict) -> str:
    verdict = "Different" if changes else "Equal"
    layers = summary["layers"]
    versions = summary["keras_version"]
    differ = versions["a"] and versions["b"] and versions["a"] != versions["b"]
    keras = f"; Keras {versions['a']} vs {versions['b']}" if differ else ""
    return (
        f'<p class="verdict {verdict.lower()}"><strong>{verdict}</strong>: {xml_text(counts_text(summary))} '
        f"({layers['a']} layers in A, {layers['b']} in B{xml_text(keras)})</p>"
    )


def _summary_table(summary: dict) -> str:
    rows = "".join(
        f'<tr><td><span class="kind {kind}">{kind}</span></td><td class="num">{summary[kind]}</td></tr>'
        for kind in KINDS
        if summary[kind]
    )
    if not rows:
        return ""
    return f'<table class="summary"><tr><th>change</th><th>count</th></tr>{rows}</table>'


def _graph_section(picture: DiffPicture) -> str:
    """The whole graph when it is small enough to read, else the part around the changes."""
    whole = len(picture.graph.nodes) <= WHOLE_GRAPH_NODES
    part = picture if whole else around_changes(picture)
    heading = "Graph" if whole else "Changed layers and their neighbours"
    note = "" if whole else f" (of {len(picture.graph.nodes)} layers)"
    if part.left_out:
        note += f"; {part.left_out} more changed layer(s) not drawn"
    swatches = "".join(
        f'<span class="swatch" style="background:{PALETTE[key][0]};border-color:{PALETTE[key][1]}"></span>'
        f"{label} "
        for key, label in LEGEND
        if not whole or key != "context"
    )
    svg = render_svg(part.graph, status=part.status, edge_status=part.edge_status, standalone=False)
    return (
        f'<h2>{heading}{xml_text(note)}</h2>\n<p class="legend">{swatches}</p>\n'
        f'<div class="graph">{svg}</div>'
    )


def _layer_tables(changes: list[Change]) -> list[str]:
    out = []
    if changes:
        out.append("<h2>Changes by layer</h2>")
    for layer, group in by_layer(changes):
        heading = f"<code>{xml_text(layer)}</code>" if layer is not None else "Model"
        rows = "".join(_row(change) for change in group)
        out.append(
            f"<h3>{heading}</h3>\n<table><tr><th>change</th><th>field</th><th>old</th><th>new</th></tr>"
            f"{rows}</table>"
        )
    return out


def _row(change: Change) -> str:
    kind = f'<span class="kind {change.kind}">{change.kind.replace("_", " ")}</span>'
    if change.kind in ("changed", "model"):
        old, new = value_text(change.old, 400), value_text(change.new, 400)
        field = change.path or ""
    else:
        label, detail = describe(change)
        field = ""
        old, new = (detail, "") if change.kind == "removed" else ("", detail)
        if change.kind in ("renamed", "class_changed", "rewired"):
            old, _, new = detail.partition(" -> ")
    cells = "".join(f"<td><code>{xml_text(text)}</code></td>" if text else "<td></td>" for text in (old, new))
    return f"<tr><td>{kind}</td><td><code>{xml_text(field)}</code></td>{cells}</tr>"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;margin:24px 32px;
line-height:1.45}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
table{border-collapse:collapse;margin:4px 0 8px}th,td{border:1px solid #d0d7de;padding:4px 10px;
text-align:left;vertical-align:top}th{background:#f6f8fa}td.num{text-align:right}
table td:nth-child(3),table td:nth-child(4){max-width:520px}
.verdict{font-size:15px}.verdict.different strong{color:#9a6700}.verdict.equal strong{color:#1a7f37}
.kind{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;border:1px solid}
.kind.changed,.kind.model{background:#fff8c5;border-color:#9a6700}
.kind.added{background:#dafbe1;border-color:#1a7f37}
.kind.removed{background:#ffebe9;border-color:#cf222e}
.kind.rewired{background:#ddf4ff;border-color:#0969da}
.kind.renamed,.kind.class_changed,.kind.wrapped,.kind.unwrapped{background:#fbefff;border-color:#8250df}
.kind.weights{background:#fff8c5;border-color:#9a6700}
.legend{font-size:13px;color:#57606a}.swatch{display:inline-block;width:14px;height:10px;border:1px solid;
margin:0 4px 0 10px;vertical-align:middle}
.graph{overflow:auto;max-height:85vh;max-width:60vw;border:1px solid #d0d7de;border-radius:6px}
.columns{display:flex;flex-wrap:wrap;gap:0 40px;align-items:flex-start}.columns>section{min-width:0}
"""
