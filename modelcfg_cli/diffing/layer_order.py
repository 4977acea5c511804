"""A stable order of a model's layers, whatever order the file stores them in: in each model, a layer
after the layers feeding it (graph order), ties broken by name; the layers inside a nested model or a
wrapper right after it."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from modelcfg_cli.document import LayerRef


def stable_order(refs: Iterable[LayerRef]) -> list[LayerRef]:
    """`refs` (a document's layer walk) in graph order, then by name, within each model."""
    children: dict[tuple[str, ...], list[LayerRef]] = {}
    for ref in refs:
        children.setdefault(ref.parent, []).append(ref)
    ordered: list[LayerRef] = []
    stack = [iter(_graph_order(children.get((), [])))]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        ordered.append(step)
        stack.append(iter(_graph_order(children.get(step.path, []))))
    return ordered


def _graph_order(siblings: list[LayerRef]) -> list[LayerRef]:
    """Kahn's topological sort, taking the smallest name among the layers whose inputs are all placed;
    layers in a cycle (a broken file) follow in stored order."""
    index: dict[str, int] = {}
    for position, ref in enumerate(siblings):
        index.setdefault(ref.name, position)
    needs = [_inputs(ref) & index.keys() - {ref.name} for ref in siblings]
    readers: dict[str, list[int]] = {}
    for position, wanted in enumerate(needs):
        for name in wanted:
            readers.setdefault(name, []).append(position)
    ready = [(ref.name, position) for position, ref in enumerate(siblings) if not needs[position]]
    heapq.heapify(ready)
    placed: list[int] = []
    while ready:
        name, position = heapq.heappop(ready)
        placed.append(position)
        if index.get(name) != position:
            continue  # a repeated name: only its first holder feeds readers
        for reader in readers.get(name, []):
            needs[reader].discard(name)
            if not needs[reader]:
                heapq.heappush(ready, (siblings[reader].name, reader))
    left = sorted(set(range(len(siblings))) - set(placed))
    return [siblings[position] for position in placed + left]


def _inputs(ref: LayerRef) -> set[str]:
    return {edge.layer for node in ref.inbound for edge in node}
