"""A layer graph as Graphviz DOT text: boxes labelled with name and class, nested models as clusters.
Names are quoted DOT strings (quotes and backslashes escaped, control characters dropped)."""

from __future__ import annotations

import re

from modelcfg_cli.pictures.layergraph import LayerGraph, members

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def quoted(text: object) -> str:
    """A DOT double-quoted string that shows `text` as it is."""
    flat = _CONTROL.sub(" ", str(text))
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: LayerGraph) -> str:
    """`digraph` text; each layer node's label is its name over its class."""
    inside = members(graph)
    out = [
        f"digraph {quoted(graph.name or 'model')} {{",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f6f8fa", fontname="monospace"];',
        '  graph [fontname="monospace"];',
    ]
    _block(None, inside, out, "  ")
    out += [f"  {source} -> {target};" for source, target in graph.edges]
    out.append("}")
    return "\n".join(out) + "\n"


def _block(key, inside, out: list[str], pad: str) -> None:
    nodes, groups = inside[key]
    for node in nodes:
        text = quoted(node.name)[:-1] + "\\n" + quoted(node.kind)[1:]
        out.append(f"{pad}{node.id} [label={text}];")
    for group in groups:
        out.append(f"{pad}subgraph cluster_{group.id} {{")
        out.append(f"{pad}  label={quoted(f'{group.name} ({group.class_name})')};")
        _block(group.id, inside, out, pad + "  ")
        out.append(f"{pad}}}")
