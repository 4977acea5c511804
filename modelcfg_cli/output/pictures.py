"""The picture formats of `inspect` (mermaid, dot, svg) from a model document, and the format an
output file's extension asks for."""

from __future__ import annotations

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.files import format_by_extension
from modelcfg_cli.pictures.layergraph import build_graph

FORMATS = ("mermaid", "dot", "svg")
EXTENSIONS = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot", ".svg": "svg"}


def render_picture(doc: ModelDocument, fmt: str) -> str:
    """The layer graph of `doc` as Mermaid, DOT or SVG text."""
    graph = build_graph(doc)
    if fmt == "mermaid":
        from modelcfg_cli.pictures.mermaid import render_mermaid

        return render_mermaid(graph)
    if fmt == "dot":
        from modelcfg_cli.pictures.dot import render_dot

        return render_dot(graph)
    from modelcfg_cli.pictures.svg import render_svg

    return render_svg(graph)


def format_of(path: str | None) -> str | None:
    """The picture format named by an output path's extension, if any."""
    return format_by_extension(path, EXTENSIONS)
