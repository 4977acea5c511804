"""Turn a diff's changes into a rules file (the clone rules language) that rewrites A into B.

Field changes become `set` / `unset` with dotted paths and removals `remove`; renames `rename` come last
and deepest first, so that every rule selects layers by their names in A (a new name is never one in use:
diff matches equal names first). The model's name and a dtype policy shared by every layer become
`model.name` and `model.dtype_policy`; a layer inside a wrapper is edited through its wrapper
(`layer.config.units`); wrapping a layer is `wrap` (after the layer's own edits, which the wrapper then
holds), unwrapping `unwrap`. Everything else is listed as not expressible.
"""

from __future__ import annotations

import re
from collections import Counter

from modelcfg_cli.diffing.diff import ENTRY_KEYS, MISSING, Change
from modelcfg_cli.document import ModelDocument

MODEL_ACTIONS = ("name", "dtype_policy")
GLOB_SPECIALS = re.compile(r"([*?\[])")


def emit_rules(changes: list[Change], doc_a: ModelDocument) -> tuple[dict, list[str]]:
    """The rules dict (`{"rules": [...], "model": {...}}`) and one line per cause it cannot express (a
    class change covers the layer's field changes and the layers added inside it)."""
    refs = {ref.path_str: ref for ref in doc_a.layers()}
    names = Counter(ref.name for ref in refs.values())
    actions: dict[str, dict] = {}
    renames: list[tuple[str, str]] = []
    model: dict = {}
    unexpressed: list[Change] = []
    recomputed: Counter = Counter()
    replaced = {change.layer for change in changes if change.kind == "class_changed"}
    for change in changes:
        head = (change.path or "").split(".")[0]
        layer_path = change.layer or ""  # every change but a model's own names its layer
        if change.kind == "model" and change.layer is None and change.path in MODEL_ACTIONS:
            model[change.path] = change.new
        elif change.kind == "changed" and head in ENTRY_KEYS:
            recomputed[head] += 1
        elif change.kind == "changed" and layer_path not in replaced:
            target, prefix = _through_wrappers(layer_path, refs)
            layer, field = actions.setdefault(target, {}), prefix + (change.path or "")
            if change.new is MISSING:
                layer.setdefault("unset", []).append(field)
            else:
                layer.setdefault("set", {})[field] = change.new
        elif change.kind == "removed" and len(change.old["inbound"]) == 1 and not refs[layer_path].wrapped:
            actions.setdefault(layer_path, {})["remove"] = True
        elif change.kind == "renamed" and refs[layer_path].wrapped:
            target, prefix = _through_wrappers(layer_path, refs)
            actions.setdefault(target, {}).setdefault("set", {})[prefix + "name"] = change.new
        elif change.kind == "renamed":
            renames.append((layer_path, change.new))
        elif change.kind in ("wrapped", "unwrapped") and not refs[layer_path].wrapped:
            actions.setdefault(layer_path, {}).update(_wrap_action(change))
        elif not _part_of_class_change(change, replaced):
            unexpressed.append(change)
    lines = _grouped(unexpressed)
    lines += [f"{key} of {count} layer(s): Keras recomputes it" for key, count in recomputed.items()]
    rules = [{"match": _selector(layer, names), **_ordered(acts)} for layer, acts in actions.items()]
    renames.sort(key=lambda item: -item[0].count("/"))
    rules += [{"match": _selector(layer, names), "rename": new} for layer, new in renames]
    data: dict = {"rules": rules}
    if model:
        data["model"] = model
    return data, lines


LAST_ACTIONS = ("wrap", "unwrap", "remove")  # they replace the layer: its own edits come first


def _ordered(layer_actions: dict) -> dict:
    """A rule's actions in an order that works: edits of the layer, then what replaces it."""
    return dict(sorted(layer_actions.items(), key=lambda item: item[0] in LAST_ACTIONS))


def _wrap_action(change: Change) -> dict:
    """`wrap: {class_name: Bidirectional}` for `LSTM -> Bidirectional(LSTM)`, `unwrap: true` back."""
    if change.kind == "unwrapped":
        return {"unwrap": True}
    return {"wrap": {"class_name": str(change.new).split("(")[0]}}


def _through_wrappers(layer: str, refs: dict) -> tuple[str, str]:
    """The layer a rule can select (a wrapped layer's outermost wrapper) and the dotted prefix from its
    config to the wrapped layer's config (`layer.config.`)."""
    ref = refs[layer]
    prefix = ""
    while ref.wrapped:
        key = ref.pointer.rsplit("/", 1)[1]
        prefix = f"{key}.config.{prefix}"
        ref = refs["/".join(ref.parent)]
    return ref.path_str, prefix


def _selector(layer: str, names: Counter) -> dict:
    """`{name: ...}` for a top-level layer with a unique name, else `{path: ...}`; globs escaped."""
    escaped = GLOB_SPECIALS.sub(r"[\1]", layer)
    if "/" not in layer and names[layer] == 1:
        return {"name": escaped}
    return {"path": escaped}


def _part_of_class_change(change: Change, replaced: set) -> bool:
    """A field change of a layer whose class changed, or a layer added or removed inside it."""
    layer = change.layer or ""
    return (change.kind == "changed" and layer in replaced) or (
        change.kind in ("added", "removed") and any(layer.startswith(f"{outer}/") for outer in replaced)
    )


def _grouped(changes: list[Change]) -> list[str]:
    """One line per cause: the change itself when it is alone, else the cause, a count and the layers."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(_cause(change), []).append(change)
    lines = []
    for cause, group in groups.items():
        if len(group) == 1:
            lines.append(_explain(group[0]))
            continue
        names = [change.layer or "model" for change in group]
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        lines.append(f"{cause}: {len(group)} layers ({shown})")
    return lines


def _cause(change: Change) -> str:
    """What several changes have in common: `added Dropout`, `class changed LSTM -> GRU`, ..."""
    if change.kind in ("added", "removed"):
        layer = change.new if change.kind == "added" else change.old
        return f"{change.kind} {layer['class_name']}"
    if change.kind == "class_changed":
        return f"class changed {change.old} -> {change.new}"
    return change.kind if change.kind == "rewired" else f"{change.kind} {change.path}"


def _explain(change: Change) -> str:
    """One line for a change that rules cannot make."""
    where = change.layer or "model"
    if change.kind in ("added", "removed"):
        layer = change.new if change.kind == "added" else change.old
        inputs = ", ".join(layer["inbound"]) or "none"
        return f"{where}: {change.kind} ({layer['class_name']}, inputs: {inputs})"
    if change.kind in ("wrapped", "unwrapped"):
        return f"{where}: {change.kind} ({change.old} -> {change.new})"
    if change.kind == "class_changed":
        return f"{where}: class changed {change.old} -> {change.new}"
    if change.kind == "rewired":
        return f"{where}: rewired {', '.join(change.old)} -> {', '.join(change.new)}"
    return f"{where}: {change.kind} {change.path}"
