"""A self-contained SVG picture of a layer graph: boxes labelled with name and class, arrows, nested
models as titled frames. Plain SVG attributes only (no CSS, no fonts or images from anywhere); every
name is escaped and stripped of characters XML cannot hold."""

from __future__ import annotations

import re

from modelcfg_cli.pictures.layergraph import GraphGroup, GraphNode, LayerGraph
from modelcfg_cli.pictures.layout import Box, Layout, layout_graph

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
NAME_SIZE, KIND_SIZE, GROUP_SIZE = 12, 11, 12
CHAR = 0.62  # width of a monospace character, in ems
NODE_HEIGHT = 38.0
MIN_WIDTH = 64.0
MAX_CHARS = 40
# status -> (fill, stroke, dash); "" is a plain layer
PALETTE = {
    "": ("#f6f8fa", "#57606a", ""),
    "input": ("#ffffff", "#24292f", ""),
    "added": ("#dafbe1", "#1a7f37", ""),
    "removed": ("#ffebe9", "#cf222e", "5,3"),
    "changed": ("#fff8c5", "#9a6700", ""),
    "rewired": ("#ddf4ff", "#0969da", ""),
    "context": ("#ffffff", "#afb8c1", ""),
}
EDGE_COLORS = {"": "#57606a", "added": "#1a7f37", "removed": "#cf222e", "context": "#afb8c1"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"[\t\n\r]+")


def xml_text(value: object) -> str:
    """Text safe in XML content and attribute values: no control characters, newlines as spaces."""
    text = _SPACE.sub(" ", _NOT_XML.sub("\ufffd", str(value)))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_size(node: GraphNode) -> tuple[float, float]:
    """The box of a node: wide enough for its (shortened) name and class."""
    name = len(shorten(node.name)) * NAME_SIZE * CHAR
    kind = len(shorten(node.kind)) * KIND_SIZE * CHAR
    return max(MIN_WIDTH, name + 16, kind + 16), NODE_HEIGHT


def group_title(group: GraphGroup) -> str:
    return shorten(f"{group.name} ({group.class_name})", 2 * MAX_CHARS)


def title_width(group: GraphGroup) -> float:
    return len(group_title(group)) * GROUP_SIZE * CHAR + 8


def render_svg(
    graph: LayerGraph,
    *,
    status: dict[str, str] | None = None,
    edge_status: dict[tuple[str, str], str] | None = None,
    standalone: bool = True,
) -> str:
    """The picture as SVG text; `status` colours nodes and groups by id (see PALETTE), `edge_status`
    colours edges; `standalone` adds the XML namespace a file needs (inline in HTML it is implied)."""
    status = status or {}
    edge_status = edge_status or {}
    layout = layout_graph(graph, node_size, title_width=title_width)
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    width, height = f"{layout.width:.0f}", f"{layout.height:.0f}"
    out = [
        f'<svg{namespace} width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" role="img">',
        f"<title>{xml_text(f'{graph.name} ({graph.class_name})')}</title>",
        _defs(),
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    out += _groups(graph, layout, status)
    out += _edges(layout, edge_status)
    out += _group_titles(graph, layout)
    out += _nodes(graph, layout, status)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _defs() -> str:
    markers = "".join(
        f'<marker id="arrow{key}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{color}"/></marker>'
        for key, color in EDGE_COLORS.items()
    )
    return f"<defs>{markers}</defs>"


def _groups(graph: LayerGraph, layout: Layout, status: dict) -> list[str]:
    out = []
    for group in graph.groups:
        box = layout.groups[group.id]
        fill, stroke, dash = PALETTE.get(status.get(group.id, ""), PALETTE[""])
        fill = "#fbfbfc" if not status.get(group.id) else fill
        out.append(
            f'<g id="{group.id}"><title>{xml_text(group.path)} ({xml_text(group.class_name)})</title>'
            f"{_rect(box, fill, stroke, dash, radius=8)}</g>"
        )
    return out


def _group_titles(graph: LayerGraph, layout: Layout) -> list[str]:
    """Titles above the edges, on a halo of the background so that a line under them does not cross
    the letters."""
    return [
        f'<text x="{layout.groups[group.id].x + 8:.1f}" y="{layout.groups[group.id].y + 16:.1f}" '
        f'font-size="{GROUP_SIZE}" font-weight="bold" fill="#24292f" stroke="#fbfbfc" stroke-width="5" '
        f'paint-order="stroke">{xml_text(group_title(group))}</text>'
        for group in graph.groups
    ]


def _edges(layout: Layout, edge_status: dict) -> list[str]:
    out = []
    for source, target, points in layout.edges:
        key = edge_status.get((source, target), "")
        color = EDGE_COLORS.get(key, EDGE_COLORS[""])
        dash = ' stroke-dasharray="5,3"' if key == "removed" else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.3"{dash} '
            f'marker-end="url(#arrow{key})"/>'
        )
    return out


def _nodes(graph: LayerGraph, layout: Layout, status: dict) -> list[str]:
    out = []
    for node in graph.nodes:
        box = layout.nodes[node.id]
        key = status.get(node.id) or ("input" if node.class_name == "InputLayer" else "")
        fill, stroke, dash = PALETTE.get(key, PALETTE[""])
        middle = box.x + box.width / 2
        out.append(
            f'<g id="{node.id}"><title>{xml_text(node.path)} ({xml_text(node.kind)})</title>'
            f"{_rect(box, fill, stroke, dash, radius=5)}"
            f'<text x="{middle:.1f}" y="{box.y + 16:.1f}" font-size="{NAME_SIZE}" font-weight="bold" '
            f'text-anchor="middle" fill="#24292f">{xml_text(shorten(node.name))}</text>'
            f'<text x="{middle:.1f}" y="{box.y + 31:.1f}" font-size="{KIND_SIZE}" text-anchor="middle" '
            f'fill="#57606a">{xml_text(shorten(node.kind))}</text></g>'
        )
    return out


def _rect(box: Box, fill: str, stroke: str, dash: str, radius: int) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        f'rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dashed}/>'
    )
