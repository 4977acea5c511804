"""The layer graph of a model as plain data, for every picture: one node per layer, nested models as
groups around their layers, edges between layers resolved through nested models.

A wrapped layer (the LSTM inside `Bidirectional`) is part of its wrapper's node. An edge into a nested
model goes to that model's input layers (the k-th tensor of the call to the k-th input), an edge out of
it leaves from its output layers; a Sequential model is a chain from its first layer to its last.
Node and group ids (`n0`, `g0`, ...) are safe in every output format; names are data and are escaped by
the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelcfg_cli.document import LayerRef, ModelDocument, io_edges, is_sequential


@dataclass(frozen=True)
class GraphNode:
    """One layer: `kind` is its class, with the wrapped classes in brackets (`Bidirectional(LSTM)`)."""

    id: str
    name: str
    class_name: str
    path: str
    group: str | None
    kind: str


@dataclass(frozen=True)
class GraphGroup:
    """A nested model: drawn as a box around its layers, inside its parent group (None: the top model)."""

    id: str
    name: str
    class_name: str
    path: str
    parent: str | None


@dataclass(frozen=True)
class LayerGraph:
    """Nodes in the model's layer order, edges as (source id, target id) without repeats, groups."""

    name: str
    class_name: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]
    groups: tuple[GraphGroup, ...]


@dataclass
class _Container:
    """A model (the top one or a nested one) with its direct layers by name."""

    ref: LayerRef | None
    entry: dict
    children: list[LayerRef]


def build_graph(doc: ModelDocument) -> LayerGraph:
    """The layer graph of `doc`."""
    builder = _Builder(doc)
    return LayerGraph(
        doc.name or "",
        doc.class_name,
        tuple(builder.nodes.values()),
        tuple(builder.edges()),
        tuple(builder.groups.values()),
    )


class _Builder:
    """Sorts the document's layers into nodes, groups and containers, then resolves edges."""

    def __init__(self, doc: ModelDocument):
        self.containers: dict[tuple[str, ...], _Container] = {(): _Container(None, doc.envelope, [])}
        self.nodes: dict[tuple[str, ...], GraphNode] = {}
        self.groups: dict[tuple[str, ...], GraphGroup] = {}
        wrapped: dict[tuple[str, ...], list[LayerRef]] = {}
        for ref in doc.layers():
            if self._owner(ref.path) is not None:
                wrapped.setdefault(ref.parent, []).append(ref)
                continue
            container = self.containers.get(ref.parent)
            if container is None:
                continue
            container.children.append(ref)
            if ref.is_model:
                self._add_group(ref)
            else:
                self.nodes.setdefault(ref.path, self._node(ref))
        for path, node in self.nodes.items():
            if path in wrapped:
                kind = _kind(node.class_name, path, wrapped)
                self.nodes[path] = GraphNode(node.id, node.name, node.class_name, node.path, node.group, kind)

    def _owner(self, path: tuple[str, ...]) -> tuple[str, ...] | None:
        """The layer node that `path` is wrapped inside, if any."""
        for end in range(1, len(path)):
            if path[:end] in self.nodes:
                return path[:end]
        return None

    def _group_id(self, path: tuple[str, ...]) -> str | None:
        group = self.groups.get(path)
        return group.id if group else None

    def _node(self, ref: LayerRef) -> GraphNode:
        group = self._group_id(ref.parent)
        node_id = f"n{len(self.nodes)}"
        return GraphNode(node_id, ref.name, ref.class_name, ref.path_str, group, ref.class_name)

    def _add_group(self, ref: LayerRef) -> None:
        if ref.path in self.groups:
            return
        parent = self._group_id(ref.parent)
        group_id = f"g{len(self.groups)}"
        self.groups[ref.path] = GraphGroup(group_id, ref.name, ref.class_name, ref.path_str, parent)
        self.containers[ref.path] = _Container(ref, ref.entry, [])

    def edges(self) -> list[tuple[str, str]]:
        """Every edge between layer nodes, by source then target, no repeats and no self-loops."""
        seen: dict[tuple[str, str], None] = {}
        for container in self.containers.values():
            by_name = _by_name(container.children)
            for ref in container.children:
                for call in ref.inbound:
                    for position, edge in enumerate(call):
                        producer = by_name.get(edge.layer)
                        if producer is None:
                            continue
                        sources = self._exits(producer, edge.tensor_index, set())
                        targets = self._entries(ref, position, len(call), set())
                        for source in sources:
                            for target in targets:
                                if source != target:
                                    seen.setdefault((source, target), None)
        return sorted(seen, key=lambda edge: (int(edge[0][1:]), int(edge[1][1:])))

    def _exits(self, ref: LayerRef, tensor: int, visiting: set) -> list[str]:
        """The node ids whose output is output `tensor` of layer `ref` (a nested model's output layer)."""
        if ref.path in self.nodes:
            return [self.nodes[ref.path].id]
        if ref.path not in self.containers or ref.path in visiting:
            return []
        visiting.add(ref.path)
        ends = self._ends(ref.path, "output_layers")
        chosen = [ends[tensor]] if 0 <= tensor < len(ends) else ends
        return [node for end, index in chosen for node in self._exits(end, index, visiting)]

    def _entries(self, ref: LayerRef, position: int, count: int, visiting: set) -> list[str]:
        """The node ids that receive input `position` of `count` of a call to `ref`."""
        if ref.path in self.nodes:
            return [self.nodes[ref.path].id]
        if ref.path not in self.containers or ref.path in visiting:
            return []
        visiting.add(ref.path)
        ends = self._ends(ref.path, "input_layers")
        chosen = [ends[position]] if len(ends) == count else ends
        return [node for end, _ in chosen for node in self._entries(end, 0, 1, visiting)]

    def _ends(self, path: tuple[str, ...], key: str) -> list[tuple[LayerRef, int]]:
        """A nested model's input or output layers with the tensor index used."""
        container = self.containers[path]
        children = container.children
        if not children:
            return []
        if is_sequential(container.entry):
            return [(children[0], 0)] if key == "input_layers" else [(children[-1], 0)]
        by_name = _by_name(children)
        config = container.entry.get("config")
        edges = io_edges(config.get(key)) if isinstance(config, dict) else []
        return [(by_name[edge.layer], edge.tensor_index) for edge in edges if edge.layer in by_name]


def _kind(class_name: str, path: tuple[str, ...], wrapped: dict) -> str:
    """`Bidirectional(LSTM)`: a class with the distinct classes it wraps, recursively."""
    inner = {_kind(ref.class_name, ref.path, wrapped): None for ref in wrapped.get(path, ())}
    return f"{class_name}({', '.join(inner)})" if inner else class_name


def _by_name(children: list[LayerRef]) -> dict[str, LayerRef]:
    by_name: dict[str, LayerRef] = {}
    for ref in children:
        by_name.setdefault(ref.name, ref)
    return by_name


def members(graph: LayerGraph) -> dict[str | None, tuple[list[GraphNode], list[GraphGroup]]]:
    """The nodes and groups directly inside each group (None: the top model), in order."""
    inside: dict[str | None, tuple[list[GraphNode], list[GraphGroup]]] = {None: ([], [])}
    for group in graph.groups:
        inside[group.id] = ([], [])
    for group in graph.groups:
        inside[group.parent][1].append(group)
    for node in graph.nodes:
        inside[node.group][0].append(node)
    return inside
