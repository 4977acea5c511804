"""A layered (Sugiyama-style) layout of one flat directed graph of boxes, in linear-ish time.

Steps: longest-path ranks (sources pulled down next to their first consumer; edges that close a cycle
are left out of the ranking and drawn straight), dummy points on edges that span several ranks (within a
budget, so a pathological graph stays fast), barycenter sweeps against crossings, x coordinates by
isotonic regression (each box as close as the order allows to the mean of its neighbours), and a fold of
tall drawings into side-by-side columns, with the edges that cross a fold routed through the margins.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True)
class Spacing:
    """Distances in pixels; `fold_height`: fold a drawing taller than this into columns, aiming at a
    width:height `aspect`."""

    node_gap: float = 18.0
    rank_gap: float = 34.0
    column_gap: float = 48.0
    fold_margin: float = 16.0
    fold_height: float = 1800.0
    aspect: float = 1.6
    sweeps: int = 4


@dataclass(frozen=True)
class FlatLayout:
    """Top-left corner of each box, and the polyline of each edge (by index pair), in one frame."""

    width: float
    height: float
    corners: list[Point]
    routes: dict[tuple[int, int], list[Point]] = field(repr=False)


@dataclass
class _Proper:
    """The graph with dummy points: ranks, neighbours one rank up and down, widths, dummy chains."""

    rank: list[int]
    up: list[list[int]]
    down: list[list[int]]
    width: list[float]
    chains: dict[tuple[int, int], list[int]]


@dataclass
class _Drawing:
    """The unfolded drawing: boxes per rank in order, centres x, tops y, rank tops and heights."""

    layers: list[list[int]]
    proper: _Proper
    sizes: list[Point]
    x: list[float]
    y: list[float]
    tops: list[float]
    heights: list[float]


def layer_out(sizes: list[Point], edges: list[tuple[int, int]], spacing: Spacing | None = None) -> FlatLayout:
    """Lay out boxes of `sizes` (width, height) joined by `edges` (index pairs), top to bottom."""
    spacing = spacing or Spacing()
    count = len(sizes)
    if count == 0:
        return FlatLayout(0.0, 0.0, [], {})
    unique = list(dict.fromkeys((u, v) for u, v in edges if u != v and 0 <= u < count and 0 <= v < count))
    proper = _proper_graph(count, unique, [width for width, _ in sizes])
    layers = _order(proper, spacing.sweeps)
    x = _x_coordinates(layers, proper, spacing.node_gap)
    heights = [0.0] * len(layers)
    for index, (_, height) in enumerate(sizes):
        heights[proper.rank[index]] = max(heights[proper.rank[index]], height)
    tops, cumulative = [], 0.0
    for height in heights:
        tops.append(cumulative)
        cumulative += height + spacing.rank_gap
    y = [tops[proper.rank[i]] + (heights[proper.rank[i]] - sizes[i][1]) / 2 for i in range(count)]
    drawing = _Drawing(layers, proper, sizes, x, y, tops, heights)
    routes = {edge: _route(edge, drawing) for edge in unique}
    return _fold(drawing, routes, spacing)


def _ranks(count: int, edges: list[tuple[int, int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """Longest-path ranks over the edges that agree with a topological order; those edges."""
    succ: list[list[int]] = [[] for _ in range(count)]
    indegree = [0] * count
    for u, v in edges:
        succ[u].append(v)
        indegree[v] += 1
    queue = deque(i for i in range(count) if indegree[i] == 0)
    order: list[int] = []
    while queue:
        u = queue.popleft()
        order.append(u)
        for v in succ[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                queue.append(v)
    placed = set(order)
    order += [i for i in range(count) if i not in placed]
    position = {node: index for index, node in enumerate(order)}
    forward = [(u, v) for u, v in edges if position[u] < position[v]]
    rank = [0] * count
    has_pred = [False] * count
    forward_succ: list[list[int]] = [[] for _ in range(count)]
    for u, v in forward:
        forward_succ[u].append(v)
        has_pred[v] = True
    for u in order:
        for v in forward_succ[u]:
            rank[v] = max(rank[v], rank[u] + 1)
    for u in reversed(order):
        if not has_pred[u] and forward_succ[u]:
            rank[u] = min(rank[v] for v in forward_succ[u]) - 1
    return rank, forward


def _proper_graph(count: int, edges: list[tuple[int, int]], widths: list[float]) -> _Proper:
    """Ranks plus a dummy point per rank crossed, for edges spanning several ranks while within budget."""
    rank, forward = _ranks(count, edges)
    proper = _Proper(rank, [[] for _ in range(count)], [[] for _ in range(count)], list(widths), {})
    budget = 4 * count + 1000
    for u, v in sorted(forward, key=lambda edge: rank[edge[1]] - rank[edge[0]]):
        span = rank[v] - rank[u]
        if span > 1 and span - 1 > budget:
            continue
        budget -= span - 1
        chain, previous = [], u
        for step in range(rank[u] + 1, rank[v]):
            dummy = len(proper.rank)
            proper.rank.append(step)
            proper.up.append([previous])
            proper.down.append([])
            proper.width.append(0.0)
            proper.down[previous].append(dummy)
            chain.append(dummy)
            previous = dummy
        proper.down[previous].append(v)
        proper.up[v].append(previous)
        proper.chains[(u, v)] = chain
    return proper


def _order(proper: _Proper, sweeps: int) -> list[list[int]]:
    """The boxes of each rank, left to right, after barycenter sweeps down and up."""
    layers: list[list[int]] = [[] for _ in range(max(proper.rank) + 1)]
    for node, rank in enumerate(proper.rank):
        layers[rank].append(node)
    position = [0.0] * len(proper.rank)
    for layer in layers:
        for index, node in enumerate(layer):
            position[node] = index
    for _ in range(sweeps):
        for layer in layers[1:]:
            _sort_by_barycenter(layer, proper.up, position)
        for layer in reversed(layers[:-1]):
            _sort_by_barycenter(layer, proper.down, position)
    return layers


def _sort_by_barycenter(layer: list[int], neighbours: list[list[int]], position: list[float]) -> None:
    if len(layer) < 2:
        return

    def key(node: int) -> float:
        adjacent = neighbours[node]
        return sum(position[n] for n in adjacent) / len(adjacent) if adjacent else position[node]

    layer.sort(key=key)
    for index, node in enumerate(layer):
        position[node] = index


def _x_coordinates(layers: list[list[int]], proper: _Proper, gap: float) -> list[float]:
    """Box centres: packed left to right, then pulled towards their neighbours' mean, down, up, down."""
    x = [0.0] * len(proper.rank)
    for layer in layers:
        x_at = 0.0
        for node in layer:
            x[node] = x_at + proper.width[node] / 2
            x_at += proper.width[node] + gap
    for neighbours, sequence in (
        (proper.up, layers),
        (proper.down, layers[::-1]),
        (proper.up, layers),
        (proper.down, layers[::-1]),
    ):
        for layer in sequence:
            desired = [
                sum(x[n] for n in neighbours[node]) / len(neighbours[node]) if neighbours[node] else x[node]
                for node in layer
            ]
            _place(layer, desired, proper, gap, x)
    return x


def _place(layer: list[int], desired: list[float], proper: _Proper, gap: float, x: list[float]) -> None:
    """The x closest (least squares; dummies weigh more, to keep long edges straight) to `desired`
    that keeps the order and the gaps: pool-adjacent-violators on the gap-shifted targets."""
    if len(layer) == 1:
        x[layer[0]] = desired[0]
        return
    offsets, offset, previous = [], 0.0, None
    for node in layer:
        if previous is not None:
            offset += (proper.width[previous] + proper.width[node]) / 2 + gap
        offsets.append(offset)
        previous = node
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for node, want, shift in zip(layer, desired, offsets, strict=True):
        weight = 1.0 if proper.width[node] else 2.0
        blocks.append([(want - shift) * weight, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, weight, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += weight
            blocks[-1][2] += count
    index = 0
    for total, weight, count in blocks:
        for _ in range(int(count)):
            x[layer[index]] = total / weight + offsets[index]
            index += 1


def _route(edge: tuple[int, int], drawing: _Drawing) -> list[tuple[int, float, float]]:
    """An edge's polyline as (rank, x, y) points: bottom of the source, down each dummy's rank, top of
    the target."""
    u, v = edge
    rank, x, y = drawing.proper.rank, drawing.x, drawing.y
    points = [(rank[u], x[u], y[u] + drawing.sizes[u][1])]
    for dummy in drawing.proper.chains.get(edge, ()):
        top = drawing.tops[rank[dummy]]
        points += [(rank[dummy], x[dummy], top), (rank[dummy], x[dummy], top + drawing.heights[rank[dummy]])]
    points.append((rank[v], x[v], y[v]))
    return points


def _fold(drawing: _Drawing, routes: dict, spacing: Spacing) -> FlatLayout:
    """Cut the ranks into columns when the drawing is tall, shift everything into place."""
    columns = _columns(drawing, spacing)
    margin = spacing.fold_margin if len(columns) > 1 else 0.0
    count = len(drawing.layers)
    column_of, shift, extents = [0] * count, [(0.0, 0.0)] * count, []
    x_at = 0.0
    for index, ranks in enumerate(columns):
        left, right = _extent(ranks, drawing, drawing.x)
        for rank in ranks:
            column_of[rank] = index
            shift[rank] = (x_at - left, margin - drawing.tops[ranks[0]])
        extents.append((x_at, x_at + right - left))
        x_at += right - left + spacing.column_gap
    tops, heights = drawing.tops, drawing.heights
    width = max(right for _, right in extents)
    height = max(tops[r[-1]] + heights[r[-1]] - tops[r[0]] for r in columns) + 2 * margin
    corners = []
    for node, (box_width, _) in enumerate(drawing.sizes):
        dx, dy = shift[drawing.proper.rank[node]]
        corners.append((drawing.x[node] - box_width / 2 + dx, drawing.y[node] + dy))
    fold = _Fold(shift, column_of, extents, height)
    return FlatLayout(
        width, height, corners, {edge: fold.route(points, spacing) for edge, points in routes.items()}
    )


def _columns(drawing: _Drawing, spacing: Spacing) -> list[list[int]]:
    """Consecutive ranks per column: one column, or about sqrt(aspect * height / width) of them."""
    tops, heights = drawing.tops, drawing.heights
    total = tops[-1] + heights[-1]
    everything = list(range(len(drawing.layers)))
    if total <= spacing.fold_height or len(everything) < 2:
        return [everything]
    left, right = _extent(everything, drawing, [0.0] * len(drawing.proper.rank))
    width = max(right - left, max(drawing.proper.width), 1.0)
    count = max(1, min(len(everything), round((spacing.aspect * total / width) ** 0.5)))
    target = max(total / count, spacing.fold_height / 4)
    columns: list[list[int]] = [[]]
    for rank in everything:
        if columns[-1] and tops[rank] + heights[rank] - tops[columns[-1][0]] > target:
            columns.append([])
        columns[-1].append(rank)
    return columns


def _extent(ranks: list[int], drawing: _Drawing, x: list[float]) -> tuple[float, float]:
    """Left and right edge of the boxes in `ranks`, with centres `x`."""
    left, right = float("inf"), float("-inf")
    for rank in ranks:
        for node in drawing.layers[rank]:
            left = min(left, x[node] - drawing.proper.width[node] / 2)
            right = max(right, x[node] + drawing.proper.width[node] / 2)
    return (left, right) if left <= right else (0.0, 0.0)


@dataclass(frozen=True)
class _Fold:
    """Per rank: the shift into its column, the column; per column: its x extent; the drawing's height."""

    shift: list[Point]
    column_of: list[int]
    extents: list[Point]
    height: float

    def route(self, points: list[tuple[int, float, float]], spacing: Spacing) -> list[Point]:
        """Shift each point with its rank's column; a step into a later column goes down to the bottom
        margin, along the gap after its column, across the top margin and down to the next point."""
        out: list[Point] = []
        previous = None
        low, high = self.height - spacing.fold_margin / 2, spacing.fold_margin / 2
        for rank, px, py in points:
            dx, dy = self.shift[rank]
            column = self.column_of[rank]
            point = (px + dx, py + dy)
            if previous is not None and column > previous:
                gap_x = self.extents[previous][1] + spacing.column_gap / 2
                out += [(out[-1][0], low), (gap_x, low), (gap_x, high), (point[0], high)]
            out.append(point)
            previous = column
        return out
