"""Graph checks a schema cannot express: names, references, inputs/outputs, cycles, reachability.

Works on Keras 3 and legacy Keras 2 node formats and on Sequential models (an implicit chain);
nested models are checked on their own, recursively.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from modelcfg_cli.document import Edge, LayerRef, ModelDocument, edge_from_list, is_sequential
from modelcfg_cli.findings import ERROR, WARNING, Finding

MULTI_OUTPUT = frozenset({"MultiHeadAttention", "GroupedQueryAttention", "Attention", "AdditiveAttention"})
CHILD = re.compile(r"/config(?:/layers)?/(\d+)$")


@dataclass
class ModelView:
    """One model in the document: its entry, its pointer and its own layers in order."""

    entry: dict
    pointer: str
    name: str | None
    children: list[LayerRef]

    @property
    def config(self) -> dict:
        config = self.entry.get("config")
        return config if isinstance(config, dict) else {}


def models_of(doc: ModelDocument, refs: list[LayerRef]) -> list[ModelView]:
    """The top-level model and every nested model, each with its direct layers."""
    views = {"": ModelView(doc.envelope, "", None, [])}
    for ref in refs:
        if ref.is_model:
            views[ref.pointer] = ModelView(ref.entry, ref.pointer, ref.path_str, [])
    for ref in refs:
        if ref.wrapped:
            continue
        match = CHILD.search(ref.pointer)
        parent = ref.pointer[: match.start()] if match else None
        if parent in views:
            views[parent].children.append(ref)
    return list(views.values())


def check_graph(doc: ModelDocument, refs: list[LayerRef] | None = None) -> list[Finding]:
    """Every graph finding of `doc`, model by model."""
    refs = list(doc.layers()) if refs is None else refs
    findings: list[Finding] = []
    for view in models_of(doc, refs):
        findings.extend(check_model(view))
    return findings


def check_model(view: ModelView) -> list[Finding]:
    """Unique names, and for a Functional model: references, inputs/outputs, cycles, reachability."""
    findings = list(_names(view))
    if is_sequential(view.entry):
        return findings
    layers: dict[str, LayerRef] = {}
    for ref in view.children:
        layers.setdefault(ref.name, ref)
    findings.extend(_inbound(view, layers))
    findings.extend(_io(view, layers))
    findings.extend(_cycles(view, layers))
    findings.extend(_unreachable(view, layers))
    findings.extend(_dead_ends(view, layers))
    findings.extend(_shared(view, layers))
    return findings


def _error(ref: LayerRef, where: str, message: str, severity: str = ERROR) -> Finding:
    return Finding(severity, ref.pointer + where, message, ref.path_str, ref.class_name)


def _names(view: ModelView) -> Iterator[Finding]:
    first: dict[str, LayerRef] = {}
    for ref in view.children:
        if not ref.name:
            yield _error(ref, "", "layer has no name (expected a 'name' string in the entry or its config)")
        elif ref.name in first:
            found = CHILD.search(first[ref.name].pointer)
            other = found.group(1) if found else first[ref.name].pointer
            yield _error(
                ref, "", f"duplicate layer name {ref.name!r} (also layers[{other}]); names must be unique"
            )
        else:
            first[ref.name] = ref


def node_count(ref: LayerRef) -> int:
    """How many times a layer is called: an InputLayer makes one node without inbound edges."""
    return max(len(ref.inbound), 1) if ref.class_name == "InputLayer" else len(ref.inbound)


def output_count(ref: LayerRef) -> int | None:
    """How many tensors a layer returns, when the config tells: built-in layers, nested models."""
    if ref.class_name == "InputLayer":
        return 1
    if ref.is_model:
        return None if is_sequential(ref.entry) else len(list(io_items(ref.config.get("output_layers"), "")))
    if ref.entry.get("module") != "keras.layers" or ref.class_name in MULTI_OUTPUT:
        return None
    return None if ref.config.get("return_state") else 1


def _edge_problem(edge: Edge, layers: dict[str, LayerRef], consumer: str | None = None) -> str | None:
    producer = layers.get(edge.layer)
    if producer is None:
        close = difflib.get_close_matches(edge.layer, [n for n in layers if n != consumer], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"refers to layer {edge.layer!r}, which is not in this model{hint}"
    nodes = node_count(producer)
    if not 0 <= edge.node_index < nodes:
        return f"uses node {edge.node_index} of layer {edge.layer!r}, which has {_plural(nodes, 'node')}"
    outputs = output_count(producer)
    if edge.tensor_index < 0 or (outputs is not None and edge.tensor_index >= outputs):
        return (
            f"uses output {edge.tensor_index} of layer {edge.layer!r}, "
            f"which has {_plural(outputs, 'output') if outputs is not None else 'outputs from index 0'}"
        )
    return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _inbound(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    for ref in view.children:
        for index, node in enumerate(ref.inbound):
            for edge in node:
                problem = _edge_problem(edge, layers, ref.name)
                if problem:
                    yield _error(ref, f"/inbound_nodes/{index}", f"inbound node {index} {problem}")


def io_items(struct: object, pointer: str) -> Iterator[tuple[Edge, str]]:
    """The edges of `input_layers` / `output_layers` with the pointer of each."""
    edge = edge_from_list(struct)
    if edge is not None:
        yield edge, pointer
    elif isinstance(struct, dict):
        for key, value in struct.items():
            yield from io_items(value, f"{pointer}/{key}")
    elif isinstance(struct, list):
        for index, value in enumerate(struct):
            yield from io_items(value, f"{pointer}/{index}")


def _model_finding(view: ModelView, where: str, message: str) -> Finding:
    return Finding(ERROR, view.pointer + where, message, view.name, view.entry.get("class_name"))


def _io(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    for key in ("input_layers", "output_layers"):
        if key not in view.config:
            continue  # the model schema reports it
        items = list(io_items(view.config[key], f"/config/{key}"))
        if not items:
            yield _model_finding(view, f"/config/{key}", f"{key} is empty (expected at least one layer)")
        for edge, pointer in items:
            problem = _edge_problem(edge, layers)
            if problem:
                yield _model_finding(view, pointer, f"{key} {problem}")


def _producers(ref: LayerRef, layers: dict[str, LayerRef]) -> list[str]:
    return [name for name in ref.inbound_layers if name in layers]


def _node_producers(key: tuple[str, int], layers: dict[str, LayerRef]) -> list[tuple[str, int]]:
    """The (layer, node) pairs feeding node `key`: a shared layer called on its own output is no cycle."""
    name, node = key
    inbound = layers[name].inbound
    edges = inbound[node] if node < len(inbound) else ()
    return [(edge.layer, edge.node_index) for edge in edges if edge.layer in layers]


def _cycles(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    state: dict[tuple[str, int], int] = {}
    reported: set[frozenset] = set()
    starts = [(name, node) for name, ref in layers.items() for node in range(max(1, len(ref.inbound)))]
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(_node_producers(start, layers)))]
        trail = [start]
        state[start] = 1
        while stack:
            key, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[key] = 2
                stack.pop()
                trail.pop()
            elif state.get(step) == 1:
                loop = [name for name, _ in trail[trail.index(step) :]]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    shown = " -> ".join([*reversed(loop), loop[-1]])
                    yield _error(layers[step[0]], "/inbound_nodes", f"layer is part of a cycle: {shown}")
            elif step not in state:
                state[step] = 1
                trail.append(step)
                stack.append((step, iter(_node_producers(step, layers))))


def _unreachable(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    reached = _from_inputs(view, layers)
    for ref in view.children:
        if ref.name in layers and ref.name not in reached and layers[ref.name] is ref:
            yield _error(ref, "", "layer is not reachable from the model's input_layers", WARNING)


def _dead_ends(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    """Layers fed from the inputs from which no output can be reached: Keras leaves them out when it
    loads the model. (Layers the inputs do not reach are warned about already.)"""
    reached = _from_inputs(view, layers)
    ends = io_items(view.config.get("output_layers"), "")
    outputs = {edge.layer for edge, _ in ends if edge.layer in layers}
    if not outputs:  # no outputs: an error of its own
        return
    useful = _closure(outputs, lambda name: _producers(layers[name], layers))
    message = "layer reaches no output of the model: Keras leaves it out when it loads the model"
    for ref in view.children:
        if ref.name in reached and ref.name not in useful and ref.class_name != "InputLayer":
            yield _error(ref, "", message, WARNING)


def _from_inputs(view: ModelView, layers: dict[str, LayerRef]) -> set[str]:
    """The layers reachable from the model's inputs (and from dangling references, already errors)."""
    consumers: dict[str, list[str]] = {}
    for ref in layers.values():
        for name in _producers(ref, layers):
            consumers.setdefault(name, []).append(ref.name)
    start = {edge.layer for edge, _ in io_items(view.config.get("input_layers"), "") if edge.layer in layers}
    start |= {ref.name for ref in layers.values() if any(n not in layers for n in ref.inbound_layers)}
    return _closure(start, lambda name: consumers.get(name, []))


def _closure(start: set[str], next_of) -> set[str]:
    """`start` and every name reached from it through `next_of`."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for name in next_of(todo.pop()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _shared(view: ModelView, layers: dict[str, LayerRef]) -> Iterator[Finding]:
    for ref in view.children:
        arities = [len(node) for node in ref.inbound]
        if len(set(arities)) > 1:
            yield _error(
                ref,
                "/inbound_nodes",
                f"shared layer is called with a different number of inputs per node: {arities}",
                WARNING,
            )
        if ref.is_model and not is_sequential(ref.entry):
            expected = len(list(io_items(ref.config.get("input_layers"), "")))
            for index, count in enumerate(arities):
                if expected and count != expected:
                    yield _error(
                        ref,
                        f"/inbound_nodes/{index}",
                        f"nested model takes {_plural(expected, 'input')} but node {index} passes {count}",
                        WARNING,
                    )
