"""Structural diff of two model documents, in the model's own terms.

Layers are matched by name inside their container (the model, a nested model, a wrapper), not by
position (except with `ignore_names`, which pairs layers by class and position); an unmatched layer
whose class, config and wiring equal an unmatched layer of the other side is a rename. Configs are
compared with a C-speed `==` first and walked only where they differ, so two configs of hundreds of
layers that differ in one field cost one walk down one path.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from modelcfg_cli.document import (
    MISSING,
    SHARED_ID_KEYS,
    WRAPPED_KEYS,
    Edge,
    LayerRef,
    ModelDocument,
    io_edges,
    is_model_entry,
    model_layers,
    strip_shared_ids,
)
from modelcfg_cli.legacy.h5_compile import without_h5_dropped
from modelcfg_cli.summary import dtype_policy_name

KINDS = (
    "model",
    "renamed",
    "class_changed",
    "wrapped",
    "unwrapped",
    "removed",
    "added",
    "rewired",
    "changed",
)
ENTRY_KEYS = ("registered_name", "build_config", "compile_config")
MODEL_KEYS = frozenset({"name", "layers", "input_layers", "output_layers"})


@dataclass(frozen=True)
class DiffOptions:
    """`ignore`: globs over dotted field paths; `ignore_names`: match layers by class and position (the
    k-th Dense of A with the k-th Dense of B), and leave out renames and the model's own name;
    `ignore_new_fields`: a field on one side only whose value is empty (null, false, [] or {}), as a newer
    Keras writes the arguments it added with their defaults, is no difference."""

    ignore: tuple[str, ...] = ()
    ignore_names: bool = False
    ignore_new_fields: bool = False


@dataclass(frozen=True)
class Change:
    """One difference: `layer` is the layer's path in A (in B when added), None for the model."""

    kind: str
    layer: str | None
    path: str | None = None
    old: Any = None  # JSON values, or MISSING for an absent key
    new: Any = None

    def as_dict(self) -> dict:
        """The JSON form; an absent value is null."""
        return {
            "kind": self.kind,
            "layer": self.layer,
            "path": self.path,
            "old": None if self.old is MISSING else self.old,
            "new": None if self.new is MISSING else self.new,
        }


@dataclass
class _Node:
    """A layer with the layers it contains (a nested model's layers, a wrapper's inner layers)."""

    ref: LayerRef | None
    entry: dict
    children: list[_Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.ref.name if self.ref else ""

    @property
    def path(self) -> str:
        return self.ref.path_str if self.ref else ""

    @property
    def layer(self) -> LayerRef:
        """The node's layer: every node but the model's own root has one."""
        if self.ref is None:
            raise ValueError("the model's root node has no layer")
        return self.ref


class _Ignore:
    """Field-path globs (`*.seed` also matches a top-level `seed`), and optionally one-sided empty fields."""

    def __init__(self, globs: tuple[str, ...], skip_dtype: bool = False, new_fields: bool = False):
        patterns = [fnmatch.translate(glob) for glob in globs]
        self.regex = re.compile("|".join(patterns)) if patterns else None
        self.skip_dtype = skip_dtype
        self.new_fields = new_fields

    def __call__(self, path: str) -> bool:
        return self.regex is not None and bool(self.regex.match(path) or self.regex.match("." + path))

    def one_sided_empty(self, a: object, b: object) -> bool:
        return self.new_fields and (a is MISSING and _empty(b) or b is MISSING and _empty(a))


def _empty(value: object) -> bool:
    return value is None or value is False or value == [] or value == {}


def diff(doc_a: ModelDocument, doc_b: ModelDocument, options: DiffOptions | None = None) -> list[Change]:
    """Every difference that turns A into B: the model's own first (by path), then layer by layer."""
    options = options or DiffOptions()
    ignored = _Ignore(options.ignore, new_fields=options.ignore_new_fields)
    refs_a, refs_b = list(doc_a.layers()), list(doc_b.layers())
    old, new = model_policy(doc_a.envelope, refs_a), model_policy(doc_b.envelope, refs_b)
    policy = (old, new) if old and new and old != new else None
    changes = _model_changes(doc_a, doc_b, options, ignored, policy)
    if policy and not ignored("dtype_policy"):
        changes.append(Change("model", None, "dtype_policy", *policy))
    root_a, root_b = _tree(doc_a.envelope, refs_a), _tree(doc_b.envelope, refs_b)
    layer_changes: list[Change] = []
    layer_ignored = _Ignore(options.ignore, policy is not None, options.ignore_new_fields)
    name_map = _diff_children(root_a, root_b, options, layer_ignored, layer_changes)
    changes.extend(_io_changes(root_a, root_b, name_map, None, ignored))
    changes.sort(key=lambda change: change.path or "")
    return changes + layer_changes


def paired_names(doc_a: ModelDocument, doc_b: ModelDocument, options: DiffOptions) -> dict[str, str]:
    """A's layer path -> B's name for every matched layer named differently (a rename, or a pair by
    position under `ignore_names`): where each layer's stored weights find their partners."""
    ignored = _Ignore(options.ignore, new_fields=options.ignore_new_fields)
    found: dict[str, str] = {}
    pending = [(_tree(doc_a.envelope, list(doc_a.layers())), _tree(doc_b.envelope, list(doc_b.layers())))]
    while pending:
        pairs, _ = _match(*pending.pop(), options, ignored)
        found.update({a.path: b.name for a, b in pairs if a.name != b.name})
        pending.extend(pairs)
    return found


def is_default_only(change: Change) -> bool:
    """A field on one side only whose value is empty (null, false, [] or {}): an argument one Keras writes
    with its default and the other does not write at all."""
    if change.kind not in ("changed", "model"):
        return False
    return change.old is MISSING and _empty(change.new) or change.new is MISSING and _empty(change.old)


def summarize(changes: list[Change], doc_a: ModelDocument, doc_b: ModelDocument) -> dict:
    """Counts per kind, layers touched, layer totals and the Keras versions (information only)."""
    counts = Counter(change.kind for change in changes)
    return {
        "sources": {"a": doc_a.label, "b": doc_b.label},
        **{kind: counts.get(kind, 0) for kind in KINDS},
        "layers_changed": len({c.layer for c in changes if c.layer is not None}),
        "layers": {"a": _count_layers(doc_a.envelope), "b": _count_layers(doc_b.envelope)},
        "keras_version": {"a": doc_a.keras_version, "b": doc_b.keras_version},
    }


def _count_layers(entry: dict) -> int:
    """Layers of a serialized model, nested models' layers included (wrapped layers are not counted)."""
    children = [child for child in model_layers(entry) if isinstance(child, dict)]
    return len(children) + sum(_count_layers(child) for child in children if is_model_entry(child))


# -- the layer tree -------------------------------------------------------------------------------


def _tree(envelope: dict, refs: list[LayerRef]) -> _Node:
    root = _Node(None, envelope)
    nodes: dict[tuple[str, ...], _Node] = {(): root}
    for ref in refs:
        node = _Node(ref, ref.entry)
        parent = nodes.get(ref.parent, root)
        parent.children.append(node)
        nodes.setdefault(ref.path, node)
    return root


def _keys(children: list[_Node]) -> dict[str, _Node]:
    """Children by name; a repeated name gets a `#n` suffix so that nothing is lost."""
    keyed: dict[str, _Node] = {}
    for child in children:
        key = child.name
        number = 1
        while key in keyed:
            number += 1
            key = f"{child.name}#{number}"
        keyed[key] = child
    return keyed


# -- matching -------------------------------------------------------------------------------------


def _match(
    node_a: _Node, node_b: _Node, options: DiffOptions, ignored: _Ignore
) -> tuple[list[tuple[_Node, _Node]], set[int]]:
    """Pairs of matching children and the ids of A-children whose pair is a rename."""
    if options.ignore_names:
        return _match_by_position(node_a.children, node_b.children), set()
    keyed_a, keyed_b = _keys(node_a.children), _keys(node_b.children)
    pairs = [(child, keyed_b[key]) for key, child in keyed_a.items() if key in keyed_b]
    lone_a = [child for key, child in keyed_a.items() if key not in keyed_b]
    lone_b = [child for key, child in keyed_b.items() if key not in keyed_a]
    if not (lone_a and lone_b):
        return pairs, set()
    name_map = {a.name: b.name for a, b in pairs}
    renames = _find_renames(lone_a, lone_b, name_map, ignored)
    renamed_b = {id(b) for _, b in renames}
    renames += _edited_renames(
        [a for a in lone_a if a.name not in name_map], [b for b in lone_b if id(b) not in renamed_b], name_map
    )
    return pairs + renames, {id(a) for a, _ in renames}


def _edited_renames(lone_a: list[_Node], lone_b: list[_Node], name_map: dict[str, str]) -> list:
    """Pair the layers left on each side that have the same class and the same inputs (A's mapped to B's
    names), when exactly one layer on each side has them: a layer renamed and edited at once. Rounds
    repeat while they pair layers: a pair's consumers (renamed and edited too) now have mapped inputs."""
    pairs: list[tuple[_Node, _Node]] = []
    while found := _unique_pairs(lone_a, lone_b, name_map):
        pairs += found
        paired = {id(node) for pair in found for node in pair}
        lone_a = [child for child in lone_a if id(child) not in paired]
        lone_b = [child for child in lone_b if id(child) not in paired]
    return pairs


def _unique_pairs(lone_a: list[_Node], lone_b: list[_Node], name_map: dict[str, str]) -> list:
    keyed_a: dict[tuple, list[_Node]] = {}
    for child in lone_a:
        keyed_a.setdefault((child.layer.class_name, _wiring(child.layer, {}, name_map)), []).append(child)
    keyed_b: dict[tuple, list[_Node]] = {}
    for child in lone_b:
        keyed_b.setdefault((child.layer.class_name, _wiring(child.layer, {}, {})), []).append(child)
    pairs = []
    for key, found_a in keyed_a.items():
        found_b = keyed_b.get(key, [])
        if len(found_a) == 1 and len(found_b) == 1 and key[1]:
            pairs.append((found_a[0], found_b[0]))
            name_map[found_a[0].name] = found_b[0].name
    return pairs


def _find_renames(
    lone_a: list[_Node], lone_b: list[_Node], name_map: dict[str, str], ignored: _Ignore
) -> list[tuple[_Node, _Node]]:
    """Pair layers found on one side only whose content and wiring agree.

    A's layers are taken in topological order, so a layer's inputs are settled before it is looked at:
    renamed inputs are mapped to their new names, removed ones bypassed. B's candidates are indexed by
    content and wiring; only those fed by another B-only layer (perhaps an added one, to bypass) are
    compared one by one.
    """
    lone_names = {child.name for child in lone_b}
    index: dict[str, dict[tuple, list[_Node]]] = {}
    detour: dict[str, list[_Node]] = {}
    for child in lone_b:
        key = _content_key(child, ignored)
        index.setdefault(key, {}).setdefault(_wiring(child.layer, {}, {}), []).append(child)
        if any(edge.layer in lone_names for node in child.layer.inbound for edge in node):
            detour.setdefault(key, []).append(child)
    bypass_b = _bypass(lone_b)
    removed: dict[str, Edge] = {}
    renames = []
    taken: set[int] = set()
    for child in lone_a:
        key = _content_key(child, ignored)
        wiring = _wiring(child.layer, removed, name_map)
        free = [b for b in index.get(key, {}).get(wiring, ()) if id(b) not in taken]
        if not free:
            free = [
                b
                for b in detour.get(key, ())
                if id(b) not in taken and _wiring(b.layer, bypass_b, {}) == wiring
            ]
        if not free:
            removed.update(_bypass([child]))
            continue
        partner = free[0]
        taken.add(id(partner))
        bypass_b.pop(partner.name, None)
        renames.append((child, partner))
        name_map[child.name] = partner.name
    return renames


def _match_by_position(children_a: list[_Node], children_b: list[_Node]) -> list[tuple[_Node, _Node]]:
    """The k-th layer of each class in A against the k-th of that class in B (topological order)."""
    by_class: dict[str, list[_Node]] = {}
    for child in children_b:
        by_class.setdefault(child.layer.class_name, []).append(child)
    seen: Counter = Counter()
    pairs = []
    for child in children_a:
        cls = child.layer.class_name
        same = by_class.get(cls, [])
        if seen[cls] < len(same):
            pairs.append((child, same[seen[cls]]))
        seen[cls] += 1
    return pairs


def _content_key(node: _Node, ignored: _Ignore) -> str:
    """Canonical text of a layer's class and config (name left out), for rename detection. Of the layers
    inside a nested model or wrapper only the classes and the wiring between them (by position) count:
    their own changes and renames are reported under the renamed container."""
    skip_dtype = ignored.skip_dtype and node.layer.class_name != "InputLayer"
    own = _normalized(_own_config(node, skip_dtype), "", ignored)
    position = {child.name: index for index, child in enumerate(node.children)}
    inner = [
        (
            child.layer.class_name,
            [(position.get(e.layer), e.node_index, e.tensor_index) for n in child.layer.inbound for e in n],
        )
        for child in node.children
    ]
    extras = {key: strip_shared_ids(node.entry[key]) for key in ("registered_name",) if key in node.entry}
    data = [node.layer.class_name, own, inner, extras]
    return json.dumps(data, sort_keys=True, default=repr)


def _normalized(value: object, path: str, ignored: _Ignore) -> object:
    if isinstance(value, dict):
        return {
            key: _normalized(item, _join(path, key), ignored)
            for key, item in value.items()
            if key not in SHARED_ID_KEYS and not ignored(_join(path, key))
        }
    if isinstance(value, list):
        return strip_shared_ids(value)
    return value


# -- wiring ---------------------------------------------------------------------------------------


def _wiring(ref: LayerRef, bypass: dict[str, Edge], name_map: dict[str, str]) -> tuple:
    """A layer's inbound edges with bypassed (removed/added) layers replaced by their own input and
    names mapped to the other side's."""
    return tuple(tuple(_mapped(_through(edge, bypass), name_map) for edge in node) for node in ref.inbound)


def _through(edge: Edge, bypass: dict[str, Edge]) -> Edge:
    """Follow `edge` back through bypassed layers (a chain; a cycle ends after every layer is seen)."""
    for _ in range(len(bypass)):
        if edge.layer not in bypass:
            break
        edge = bypass[edge.layer]
    return edge


def _mapped(edge: Edge, name_map: dict[str, str]) -> Edge:
    return Edge(name_map.get(edge.layer, edge.layer), edge.node_index, edge.tensor_index)


def _bypass(nodes: list[_Node]) -> dict[str, Edge]:
    """The input of each single-input layer among `nodes`: what its consumers read once it is gone."""
    return {
        node.name: node.layer.inbound[0][0]
        for node in nodes
        if len(node.layer.inbound) == 1 and len(node.layer.inbound[0]) == 1
    }


def _edges_text(inbound) -> list[str]:
    """`name`, or `name:node:tensor` when not the first call's first output, for every edge."""
    return [_edge_text(edge) for node in inbound for edge in node]


def _edge_text(edge: Edge) -> str:
    if edge.node_index == 0 and edge.tensor_index == 0:
        return edge.layer
    return f"{edge.layer}:{edge.node_index}:{edge.tensor_index}"


# -- comparing ------------------------------------------------------------------------------------


def _diff_children(
    node_a: _Node, node_b: _Node, options: DiffOptions, ignored: _Ignore, changes: list[Change]
) -> dict[str, str]:
    """Append the changes among the children of two matched containers, in B's order with removed
    layers where they stood; return the A-name -> B-name map of the matched children."""
    pairs, renames = _match(node_a, node_b, options, ignored)
    partner_of_b = {id(b): a for a, b in pairs}
    matched_a = {id(a) for a, _ in pairs}
    removed = [child for child in node_a.children if id(child) not in matched_a]
    added = [child for child in node_b.children if id(child) not in partner_of_b]
    name_map = {a.name: b.name for a, b in pairs}
    bypass_a, bypass_b = _bypass(removed), _bypass(added)
    index_a = {id(child): index for index, child in enumerate(node_a.children)}
    pending = deque(removed)
    following = _next_partner_index(node_b.children, partner_of_b, index_a)
    for child_b, next_a in zip(node_b.children, following, strict=True):
        while pending and index_a[id(pending[0])] < next_a:
            gone = pending.popleft()
            changes.append(Change("removed", gone.path, None, _layer_summary(gone), None))
        child_a = partner_of_b.get(id(child_b))
        if child_a is None:
            changes.append(Change("added", child_b.path, None, None, _layer_summary(child_b)))
            continue
        if id(child_a) in renames:
            changes.append(Change("renamed", child_a.path, None, child_a.name, child_b.name))
        wiring_a = _wiring(child_a.layer, bypass_a, name_map)
        wiring_b = _wiring(child_b.layer, bypass_b, {})
        _diff_pair(child_a, child_b, wiring_a != wiring_b, options, ignored, changes)
    changes.extend(Change("removed", gone.path, None, _layer_summary(gone), None) for gone in pending)
    return name_map


def _next_partner_index(children_b: list[_Node], partner_of_b: dict, index_a: dict) -> list[float]:
    """For each B child, the A index of the next matched child from there on: removed A layers
    before it are reported before it."""
    result: list[float] = []
    following = float("inf")
    for child in reversed(children_b):
        partner = partner_of_b.get(id(child))
        if partner is not None:
            following = index_a[id(partner)]
        result.append(following)
    return result[::-1]


def _diff_pair(
    a: _Node, b: _Node, rewired: bool, options: DiffOptions, ignored: _Ignore, changes: list[Change]
) -> None:
    """Append a matched pair's changes: class, wiring, config fields, then the layers it contains."""
    layer = a.path
    wrapping = _wrapping(a, b)
    if wrapping:
        changes.append(Change(wrapping[0], layer, None, wrapping[1], wrapping[2]))
        if rewired:
            changes.append(
                Change("rewired", layer, None, _edges_text(a.layer.inbound), _edges_text(b.layer.inbound))
            )
        wrapped: list[tuple[str, object, object]] = []
        _compare(*_wrapped_configs(a, b), "", ignored, wrapped)
        wrapped.sort(key=lambda item: item[0])
        changes.extend(Change("changed", layer, path, old, new) for path, old, new in wrapped)
        return
    if a.layer.class_name != b.layer.class_name:
        changes.append(Change("class_changed", layer, None, a.layer.class_name, b.layer.class_name))
    if rewired:
        old, new = _edges_text(a.layer.inbound), _edges_text(b.layer.inbound)
        changes.append(Change("rewired", layer, None, old, new))
    fields: list[tuple[str, object, object]] = []
    skip_dtype = ignored.skip_dtype and a.layer.class_name != "InputLayer"
    _compare(_own_config(a, skip_dtype), _own_config(b, skip_dtype), "", ignored, fields)
    for key in ENTRY_KEYS:
        if key in a.entry and key in b.entry:
            _compare(a.entry[key], b.entry[key], key, ignored, fields)
    fields.sort(key=lambda item: item[0])
    changes.extend(Change("changed", layer, path, old, new) for path, old, new in fields)
    if a.children or b.children:
        name_map = _diff_children(a, b, options, ignored, changes)
        if is_model_entry(a.entry) and is_model_entry(b.entry):
            changes.extend(_io_changes(a, b, name_map, layer, ignored))


def _wrapping(a: _Node, b: _Node) -> tuple[str, str, str] | None:
    """("wrapped", "LSTM", "Bidirectional(LSTM)") when B wraps A's layer, ("unwrapped", ...) the other
    way round, None otherwise."""
    inner_b, inner_a = _inner_class(b), _inner_class(a)
    if inner_b and not inner_a and inner_b == a.layer.class_name:
        return "wrapped", a.layer.class_name, f"{b.layer.class_name}({inner_b})"
    if inner_a and not inner_b and inner_a == b.layer.class_name:
        return "unwrapped", f"{a.layer.class_name}({inner_a})", b.layer.class_name
    return None


def _inner_class(node: _Node) -> str | None:
    inner = node.layer.config.get("layer")
    if isinstance(inner, dict) and isinstance(inner.get("class_name"), str) and not node.layer.is_model:
        return inner["class_name"]
    return None


def _wrapped_configs(a: _Node, b: _Node) -> tuple[dict, dict]:
    """The configs of the layer on both sides of a wrapping (the wrapped one's), names left out."""
    configs = []
    for node in (a, b):
        inner = node.layer.config.get("layer") if _inner_class(node) else None
        config = inner.get("config") if isinstance(inner, dict) else node.layer.config
        configs.append({k: v for k, v in (config or {}).items() if k != "name"})
    return configs[0], configs[1]


def _own_config(node: _Node, skip_dtype: bool = False) -> dict:
    """A layer's config without its name, its inner layers and (when asked) its dtype."""
    config = node.layer.config
    skip = {"name"}
    if skip_dtype:
        skip.add("dtype")
    if is_model_entry(node.entry):
        skip |= MODEL_KEYS
    for key in WRAPPED_KEYS:
        inner = config.get(key)
        if isinstance(inner, dict) and "class_name" in inner:
            skip.add(key)
    return {key: value for key, value in config.items() if key not in skip}


def _compare(a: object, b: object, path: str, ignored: _Ignore, out: list) -> None:
    """Append (path, old, new) for every leaf where `a` and `b` differ; lists are leaves."""
    if a == b or (path and ignored(path)) or ignored.one_sided_empty(a, b):
        return
    if type(a) is dict and type(b) is dict:
        for key in [*a, *(key for key in b if key not in a)]:
            if key not in SHARED_ID_KEYS:
                _compare(a.get(key, MISSING), b.get(key, MISSING), _join(path, key), ignored, out)
        return
    old, new = strip_shared_ids(a), strip_shared_ids(b)
    if old != new:
        out.append((path, old, new))


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _layer_summary(node: _Node) -> dict:
    return {"class_name": node.layer.class_name, "inbound": _edges_text(node.layer.inbound)}


# -- the model itself -----------------------------------------------------------------------------


def _model_changes(
    doc_a: ModelDocument, doc_b: ModelDocument, options: DiffOptions, ignored: _Ignore, policy
) -> list[Change]:
    """The model's own changes: class, name, config fields, build and compile config."""
    fields: list[tuple[str, object, object]] = []
    if doc_a.class_name != doc_b.class_name:
        fields.append(("class_name", doc_a.class_name, doc_b.class_name))
    if not options.ignore_names and doc_a.name != doc_b.name and not ignored("name"):
        fields.append(("name", doc_a.name, doc_b.name))
    config_a, config_b = doc_a.envelope.get("config"), doc_b.envelope.get("config")
    if isinstance(config_a, dict) and isinstance(config_b, dict):
        own_a = {k: v for k, v in config_a.items() if k not in MODEL_KEYS}
        own_b = {k: v for k, v in config_b.items() if k not in MODEL_KEYS}
        if policy:
            own_a.pop("dtype", None)
            own_b.pop("dtype", None)
        _compare(own_a, own_b, "", ignored, fields)
    if "build_config" in doc_a.envelope and "build_config" in doc_b.envelope:
        _compare(
            doc_a.envelope["build_config"], doc_b.envelope["build_config"], "build_config", ignored, fields
        )
    compile_a, compile_b = _compile_config(doc_a), _compile_config(doc_b)
    if "h5" in (doc_a.origin.format, doc_b.origin.format):
        compile_a, compile_b = without_h5_dropped(compile_a), without_h5_dropped(compile_b)
    if compile_a is not MISSING and compile_b is not MISSING:
        _compare(compile_a, compile_b, "compile_config", ignored, fields)
    return [Change("model", None, path, old, new) for path, old, new in fields]


def _io_changes(
    a: _Node, b: _Node, name_map: dict[str, str], layer: str | None, ignored: _Ignore
) -> list[Change]:
    """Changed model inputs or outputs (A's edges mapped to B's names before comparing)."""
    changes: list[Change] = []
    config_a, config_b = a.entry.get("config"), b.entry.get("config")
    if not (isinstance(config_a, dict) and isinstance(config_b, dict)):
        return changes
    for key, label in (("input_layers", "inputs"), ("output_layers", "outputs")):
        edges_a, edges_b = io_edges(config_a.get(key)), io_edges(config_b.get(key))
        if [_mapped(edge, name_map) for edge in edges_a] != edges_b and not ignored(label):
            old = [_edge_text(edge) for edge in edges_a]
            changes.append(Change("model", layer, label, old, [_edge_text(edge) for edge in edges_b]))
    return changes


def _compile_config(doc: ModelDocument) -> object:
    """The compile config, {} when not compiled, MISSING when the source cannot tell."""
    if "compile_config" in doc.envelope:
        return strip_shared_ids(doc.envelope["compile_config"] or {})
    if doc.origin.format != "h5":
        return MISSING
    text = doc.metadata.get("training_config")
    if not text:
        return {}
    try:
        config = json.loads(text)
    except ValueError:
        return MISSING
    if isinstance(config, dict) and "optimizer_config" in config:
        config = {("optimizer" if k == "optimizer_config" else k): v for k, v in config.items()}
    return config


def model_policy(envelope: dict, refs: list[LayerRef]) -> str | None:
    """The dtype policy every layer (inputs aside) shares, or None when they differ or none is set."""
    names = set()
    config = envelope.get("config")
    if isinstance(config, dict) and "dtype" in config:
        names.add(dtype_policy_name(config))
    for ref in refs:
        if ref.class_name != "InputLayer" and "dtype" in ref.config:
            names.add(dtype_policy_name(ref.config))
    return names.pop() if len(names) == 1 else None
