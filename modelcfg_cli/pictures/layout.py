"""Positions for a `LayerGraph` picture: every nested model is laid out on its own (layered, see
`layering.py`) and becomes one box in its parent's layout, so each model's box holds its layers and
nothing else. Edges are drawn in the innermost model that holds both ends, from the bottom of the
producing layer to the top of the consuming one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from modelcfg_cli.pictures.layergraph import GraphGroup, GraphNode, LayerGraph
from modelcfg_cli.pictures.layering import FlatLayout, Point, Spacing, layer_out


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Frame:
    """Room around a nested model's layers: `header` above them for its title, `pad` on the other sides;
    `margin` around the whole picture."""

    header: float = 24.0
    pad: float = 12.0
    margin: float = 16.0


@dataclass(frozen=True)
class Layout:
    """Where everything goes: node and group boxes by id, each edge's polyline, the canvas size."""

    width: float
    height: float
    nodes: dict[str, Box]
    groups: dict[str, Box]
    edges: tuple[tuple[str, str, tuple[Point, ...]], ...]


SPACING, FRAME = Spacing(), Frame()


@dataclass
class _Container:
    """A model's direct items (node and group ids), its item edges and, once laid out, its layout."""

    items: list[str]
    edges: list[tuple[str, str]]
    flat: FlatLayout | None = None
    content_width: float = 0.0
    origin: Point = (0.0, 0.0)
    index: dict[str, int] = field(default_factory=dict)

    @property
    def laid_out(self) -> FlatLayout:
        """Its layout, once `layer_out` has made it."""
        if self.flat is None:
            raise ValueError("the container is not laid out yet")
        return self.flat


def layout_graph(
    graph: LayerGraph,
    node_size: Callable[[GraphNode], Point],
    *,
    title_width: Callable[[GraphGroup], float] = lambda group: 0.0,
    spacing: Spacing = SPACING,
    frame: Frame = FRAME,
) -> Layout:
    """Lay out `graph` with nodes of `node_size(node)` and group titles `title_width(group)` wide."""
    groups = {group.id: group for group in graph.groups}
    chains = {node.id: (None, *_group_chain(node.group, groups), node.id) for node in graph.nodes}
    containers = _containers(graph, chains)
    sizes: dict[str, Point] = {node.id: node_size(node) for node in graph.nodes}
    for key in sorted(containers, key=lambda key: -_depth(key, groups)):
        container = containers[key]
        container.index = {item: i for i, item in enumerate(container.items)}
        pairs = [(container.index[u], container.index[v]) for u, v in container.edges]
        container.flat = layer_out([sizes[item] for item in container.items], pairs, spacing)
        if key is not None:
            inner = max(container.flat.width, title_width(groups[key]))
            container.content_width = inner
            sizes[key] = (inner + 2 * frame.pad, container.flat.height + frame.header + frame.pad)
        else:
            container.content_width = container.flat.width
    placer = _Placer(containers, sizes, frame)
    placer.place(None, (frame.margin, frame.margin))
    edges = tuple(placer.edge(u, v, chains) for u, v in graph.edges)
    top = containers[None].laid_out
    return Layout(
        top.width + 2 * frame.margin, top.height + 2 * frame.margin, placer.nodes, placer.boxes, edges
    )


def _group_chain(group: str | None, groups: dict[str, GraphGroup]) -> tuple[str, ...]:
    chain: list[str] = []
    while group is not None and group not in chain:
        chain.append(group)
        group = groups[group].parent
    return tuple(reversed(chain))


def _depth(key: str | None, groups: dict[str, GraphGroup]) -> int:
    return -1 if key is None else len(_group_chain(key, groups))


def _containers(graph: LayerGraph, chains: dict) -> dict[str | None, _Container]:
    """Items of each model in first-seen layer order (empty nested models too), and item edges."""
    containers: dict[str | None, _Container] = {None: _Container([], [])}
    for group in graph.groups:
        containers[group.id] = _Container([], [])
    seen: set[str] = set()
    for node in graph.nodes:
        chain = chains[node.id]
        for parent, item in zip(chain, chain[1:], strict=False):
            if item not in seen:
                seen.add(item)
                containers[parent].items.append(item)
    for group in graph.groups:
        if group.id not in seen:
            seen.add(group.id)
            containers[group.parent].items.append(group.id)
    for u, v in graph.edges:
        key, item_u, item_v = _split(chains[u], chains[v])
        containers[key].edges.append((item_u, item_v))
    return containers


def _split(chain_u: tuple, chain_v: tuple) -> tuple[str | None, str, str]:
    """The innermost model holding both ends, and the items of that model that hold each end."""
    common = 1
    while common < min(len(chain_u), len(chain_v)) and chain_u[common] == chain_v[common]:
        common += 1
    return chain_u[common - 1], chain_u[common], chain_v[common]


class _Placer:
    """Turns each model's own layout into absolute boxes, and routes into absolute polylines."""

    def __init__(self, containers: dict[str | None, _Container], sizes: dict[str, Point], frame: Frame):
        self.containers = containers
        self.sizes = sizes
        self.frame = frame
        self.nodes: dict[str, Box] = {}
        self.boxes: dict[str, Box] = {}

    def place(self, key: str | None, origin: Point) -> None:
        """Absolute boxes of a model's items, from the origin of its content; recurse into nested models."""
        container = self.containers[key]
        shift = (container.content_width - container.laid_out.width) / 2
        container.origin = (origin[0] + shift, origin[1])
        for item, (x, y) in zip(container.items, container.laid_out.corners, strict=True):
            width, height = self.sizes[item]
            box = Box(container.origin[0] + x, origin[1] + y, width, height)
            if item in self.containers:
                self.boxes[item] = box
                self.place(item, (box.x + self.frame.pad, box.y + self.frame.header))
            else:
                self.nodes[item] = box

    def edge(self, u: str, v: str, chains: dict) -> tuple[str, str, tuple[Point, ...]]:
        """The drawn polyline of one edge: its model's route, ends moved onto the actual layers."""
        key, item_u, item_v = _split(chains[u], chains[v])
        container = self.containers[key]
        route = container.laid_out.routes.get((container.index[item_u], container.index[item_v]))
        ox, oy = container.origin
        middle = [(x + ox, y + oy) for x, y in route[1:-1]] if route else []
        source, target = self.nodes[u], self.nodes[v]
        start = (source.x + source.width / 2, source.y + source.height)
        end = (target.x + target.width / 2, target.y)
        return u, v, (start, *middle, end)
