"""A layer graph as a Mermaid `flowchart TD` (GitHub renders it in markdown): one node per layer
labelled with name and class, nested models as subgraphs, changes styled with classDef. Labels keep
letters, digits and a few safe marks; every other character is written as a Mermaid entity (`#60;`),
so no name can close a label, a fence or start a directive."""

from __future__ import annotations

import re

from modelcfg_cli.pictures.layergraph import LayerGraph, members

STYLES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,color:#0a3622",
    "removed": "fill:#ffebe9,stroke:#cf222e,color:#5c0a10,stroke-dasharray:5 3",
    "changed": "fill:#fff8c5,stroke:#9a6700,color:#3b2300",
    "rewired": "fill:#ddf4ff,stroke:#0969da,color:#032563",
    "context": "fill:#ffffff,stroke:#afb8c1,color:#57606a",
}
EDGE_STYLES = {"added": "stroke:#1a7f37", "removed": "stroke:#cf222e,stroke-dasharray:5 3"}
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:/+=\-]")


def label(text: object) -> str:
    """Mermaid label text: unsafe characters as `#N;` entities, newlines as spaces."""
    flat = re.sub(r"\s+", " ", str(text))
    return _UNSAFE.sub(lambda match: f"#{ord(match.group())};", flat)


def render_mermaid(
    graph: LayerGraph,
    *,
    status: dict[str, str] | None = None,
    edge_status: dict[tuple[str, str], str] | None = None,
) -> str:
    """The flowchart text (without a markdown fence)."""
    status = status or {}
    edge_status = edge_status or {}
    inside = members(graph)
    out = ["flowchart TD"]
    _block(None, inside, out, "  ")
    for source, target in graph.edges:
        out.append(f"  {source} --> {target}")
    out += _class_lines(status)
    for index, edge in enumerate(graph.edges):
        if edge_status.get(edge) in EDGE_STYLES:
            out.append(f"  linkStyle {index} {EDGE_STYLES[edge_status[edge]]}")
    return "\n".join(out) + "\n"


def _block(key, inside, out: list[str], pad: str) -> None:
    nodes, groups = inside[key]
    for node in nodes:
        out.append(f'{pad}{node.id}["{label(node.name)}<br/>{label(node.kind)}"]')
    for group in groups:
        out.append(f'{pad}subgraph {group.id}["{label(group.name)} #40;{label(group.class_name)}#41;"]')
        _block(group.id, inside, out, pad + "  ")
        out.append(f"{pad}end")


def _class_lines(status: dict[str, str]) -> list[str]:
    used = {kind: [item for item, value in status.items() if value == kind] for kind in STYLES}
    lines = [f"  classDef {kind} {STYLES[kind]}" for kind, items in used.items() if items]
    lines += [f"  class {','.join(items)} {kind}" for kind, items in used.items() if items]
    return lines
