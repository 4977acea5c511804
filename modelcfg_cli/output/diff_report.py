"""Renderers for a diff's changes: text (rich on a terminal, plain when piped), JSON, markdown (with a
Mermaid graph), HTML (one self-contained page).

`RENDERERS` maps each `--format` name to a function `(view, sink)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelcfg_cli.diffing.diff import Change
from modelcfg_cli.output.changes import as_json, as_markdown, text_lines
from modelcfg_cli.output.diff_pages import html_page, markdown_graph
from modelcfg_cli.pictures.diffgraph import diff_picture


@dataclass(frozen=True)
class DiffView:
    """What a diff report shows: the changes, their summary, the two documents (for the graph),
    whether only counts are wanted, and whether to draw the graph."""

    changes: list[Change]
    summary: dict
    docs: tuple = ()
    stat: bool = False
    graph: bool = True

    def picture(self):
        """The graph of the changes, or None when it is not wanted or there is nothing to draw."""
        if not (self.graph and self.changes and not self.stat and self.docs):
            return None
        doc_a, doc_b = self.docs
        return diff_picture(doc_a, doc_b, self.changes)


def render_text(view: DiffView, sink) -> None:
    """The text form: rich styles on a colour terminal, plain text otherwise."""
    sink.segments(text_lines(view.changes, view.summary, view.stat))


def render_json(view: DiffView, sink) -> None:
    sink.write(as_json(view.changes, view.summary, view.stat))


def render_markdown(view: DiffView, sink) -> None:
    picture = view.picture()
    graph = markdown_graph(picture) if picture else ""
    sink.write(as_markdown(view.changes, view.summary, view.stat, graph))


def render_html(view: DiffView, sink) -> None:
    sink.write(html_page(view.changes, view.summary, view.picture()))


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "html": render_html}
