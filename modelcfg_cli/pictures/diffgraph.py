"""The picture of a diff as data: B's layer graph with A's removed layers and edges put back, each layer
marked added, removed, changed or rewired from the diff's `Change` list, and the part of it around the
changes (changed layers and their neighbours) for a pull-request comment."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelcfg_cli.diffing.diff import Change
from modelcfg_cli.document import ModelDocument
from modelcfg_cli.pictures.layergraph import GraphGroup, GraphNode, LayerGraph, build_graph

# which status wins when a layer has several kinds of change
PRIORITY = ("removed", "added", "changed", "rewired")
STATUS_OF = {
    "removed": "removed",
    "added": "added",
    "changed": "changed",
    "class_changed": "changed",
    "renamed": "changed",
    "model": "changed",
    "rewired": "rewired",
}
MAX_NODES = 150


@dataclass(frozen=True)
class DiffPicture:
    """A graph with a status per node/group id and per edge; `left_out`: changed layers not drawn."""

    graph: LayerGraph
    status: dict[str, str] = field(default_factory=dict)
    edge_status: dict[tuple[str, str], str] = field(default_factory=dict)
    left_out: int = 0


def diff_picture(doc_a: ModelDocument, doc_b: ModelDocument, changes: list[Change]) -> DiffPicture:
    """B's graph, A's removed layers and edges added back, statuses from `changes`."""
    graph_a, graph_b = build_graph(doc_a), build_graph(doc_b)
    renames = {c.layer: str(c.new) for c in changes if c.kind == "renamed" and c.layer}
    removed = {c.layer for c in changes if c.kind == "removed" and c.layer}
    merged = _Merged(graph_b)
    for group in graph_a.groups:
        if _under(group.path, removed):
            merged.add_removed_group(group, _mapped(group.path, renames), graph_a)
    a_to_merged = {}
    for node in graph_a.nodes:
        path = _mapped(node.path, renames)
        if _under(node.path, removed):
            a_to_merged[node.id] = merged.add_removed_node(node, path, graph_a)
        elif path in merged.node_by_path:
            a_to_merged[node.id] = merged.node_by_path[path]
    old_edges = {
        (a_to_merged[u], a_to_merged[v]) for u, v in graph_a.edges if u in a_to_merged and v in a_to_merged
    }
    new_edges = set(graph_b.edges)
    edge_status = {edge: "added" for edge in graph_b.edges if edge not in old_edges}
    for edge in sorted(old_edges - new_edges):
        merged.edges.append(edge)
        edge_status[edge] = "removed"
    status = merged.statuses(changes, renames)
    for change in changes:
        if change.kind == "renamed" and change.layer:
            merged.rename(_mapped(change.layer, renames), str(change.old), str(change.new))
    return DiffPicture(merged.graph(), status, edge_status)


def _mapped(path: str, renames: dict[str, str]) -> str:
    """A's layer path in B's names: every renamed step along the path replaced."""
    parts = path.split("/")
    return "/".join(renames.get("/".join(parts[: i + 1]), part) for i, part in enumerate(parts))


def _under(path: str, roots: set[str]) -> bool:
    parts = path.split("/")
    return any("/".join(parts[: i + 1]) in roots for i in range(len(parts)))


class _Merged:
    """B's graph being extended with A's removed parts, looked up by path."""

    def __init__(self, graph_b: LayerGraph):
        self.base = graph_b
        self.nodes = list(graph_b.nodes)
        self.groups = list(graph_b.groups)
        self.edges = list(graph_b.edges)
        self.node_by_path = {node.path: node.id for node in graph_b.nodes}
        self.group_by_path = {group.path: group.id for group in graph_b.groups}
        self.a_groups: dict[str, str] = {}
        self.removed: list[str] = []

    def _group_of(self, group_id: str | None, graph_a: LayerGraph) -> str | None:
        """The merged id of an A group: a removed one's new id, else B's group at its path."""
        if group_id is None:
            return None
        if group_id in self.a_groups:
            return self.a_groups[group_id]
        path = next(group.path for group in graph_a.groups if group.id == group_id)
        return self.group_by_path.get(path)

    def add_removed_group(self, group: GraphGroup, path: str, graph_a: LayerGraph) -> None:
        new_id = f"g{len(self.groups)}"
        parent = self._group_of(group.parent, graph_a)
        self.groups.append(GraphGroup(new_id, group.name, group.class_name, path, parent))
        self.a_groups[group.id] = new_id
        self.removed.append(new_id)

    def add_removed_node(self, node: GraphNode, path: str, graph_a: LayerGraph) -> str:
        new_id = f"n{len(self.nodes)}"
        group = self._group_of(node.group, graph_a)
        self.nodes.append(GraphNode(new_id, node.name, node.class_name, path, group, node.kind))
        self.removed.append(new_id)
        return new_id

    def rename(self, path: str, old: str, new: str) -> None:
        """Show a renamed layer as `old → new`."""
        for index, node in enumerate(self.nodes):
            if node.path == path and node.id not in self.removed:
                name = f"{old} → {new}"
                self.nodes[index] = GraphNode(
                    node.id, name, node.class_name, node.path, node.group, node.kind
                )

    def statuses(self, changes: list[Change], renames: dict[str, str]) -> dict[str, str]:
        """Status per node and group id: removed and added parts whole, other changes on the layer
        (a change inside a wrapper marks the wrapper), the first of PRIORITY winning."""
        status = dict.fromkeys(self.removed, "removed")
        added = {change.layer for change in changes if change.kind == "added" and change.layer}
        items: list[GraphNode | GraphGroup] = [*self.base.nodes, *self.base.groups]
        for item in items:
            if _under(item.path, added):
                status[item.id] = "added"
        lookups = (self.node_by_path, self.group_by_path)
        for change in changes:
            kind = STATUS_OF.get(change.kind)
            if change.layer is None or kind not in ("changed", "rewired"):
                continue
            target = _nearest(_mapped(change.layer, renames), lookups)
            current = status.get(target) if target else None
            if target and (current is None or PRIORITY.index(kind) < PRIORITY.index(current)):
                status[target] = kind
        return status

    def graph(self) -> LayerGraph:
        base = self.base
        return LayerGraph(
            base.name, base.class_name, tuple(self.nodes), tuple(self.edges), tuple(self.groups)
        )


def _nearest(path: str, lookups: tuple[dict[str, str], ...]) -> str | None:
    """The id of the node or group at `path`, or at its nearest ancestor (a wrapper)."""
    parts = path.split("/")
    for end in range(len(parts), 0, -1):
        prefix = "/".join(parts[:end])
        for lookup in lookups:
            if prefix in lookup:
                return lookup[prefix]
    return None


def around_changes(picture: DiffPicture, limit: int = MAX_NODES) -> DiffPicture:
    """The changed layers (at most `limit`), their neighbours (status "context") and the nested models
    holding them; a changed nested model with no changed layer shows with its first layer."""
    graph = picture.graph
    groups = {group.id: group for group in graph.groups}
    first_in: dict[str | None, str] = {}
    for node in graph.nodes:
        first_in.setdefault(node.group, node.id)
    changed = [node.id for node in graph.nodes if node.id in picture.status]
    changed += [first_in[g.id] for g in graph.groups if g.id in picture.status and g.id in first_in]
    changed = list(dict.fromkeys(changed))
    core = set(changed[:limit])
    shown = dict.fromkeys(changed[:limit])
    for u, v in graph.edges:
        if u in core or v in core:
            shown.setdefault(u)
            shown.setdefault(v)
    nodes = tuple(node for node in graph.nodes if node.id in shown)
    kept_groups = set()
    for node in nodes:
        group = node.group
        while group is not None and group not in kept_groups:
            kept_groups.add(group)
            group = groups[group].parent
    edges = tuple(edge for edge in graph.edges if edge[0] in shown and edge[1] in shown)
    sub = LayerGraph(
        graph.name, graph.class_name, nodes, edges, tuple(g for g in graph.groups if g.id in kept_groups)
    )
    status = {node: picture.status.get(node, "context") for node in shown}
    status.update({group: picture.status[group] for group in kept_groups if group in picture.status})
    kept_edges = set(edges)
    edge_status = {edge: kind for edge, kind in picture.edge_status.items() if edge in kept_edges}
    return DiffPicture(sub, status, edge_status, max(0, len(changed) - limit))
