"""`clone --keep-weights` is a promise: exit 0 means every stored tensor is in the clone, bit for bit,
except where the user's rules made that impossible or `--allow-fresh` lets a layer start fresh.

A tensor that does not reach the clone is judged here (no Keras needed):
- by the rules: its layer was removed, or it no longer has a slot of its shape and kind (units,
  input shape, class or dtype changed) in a layer the user's rules changed, rewired or fed (anything
  downstream of such a layer; every layer after `model.dtype_policy`). A layer the rules added is new.
- allowed: the user named the layer with `--allow-fresh`.
- unexpected: anything else (stored weights not found for a layer the source has, a tensor that had a
  fitting slot but did not arrive, a shape the built-in upgrade could not keep). Any unexpected loss
  refuses the clone: `WeightsLost`, exit 1, nothing written.
The user's rules are told apart from the built-in upgrade (`builtin:keras2`) by diffing the upgraded
source against the rewritten model, so an upgrade that silently changed a shape is not excused.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from modelcfg_cli.diffing.diff import diff
from modelcfg_cli.document import is_model_entry
from modelcfg_cli.errors import CloneRefused, UsageError
from modelcfg_cli.keras_side.weight_report import UNEXPECTED
from modelcfg_cli.pictures.layergraph import build_graph

RULES, ALLOWED = "by the rules", "allowed by --allow-fresh"


class WeightsLost(CloneRefused):
    """`--keep-weights` would lose stored tensors nobody allowed to start fresh: exit 1, nothing written.
    `report_lines` is the weight report, printed before the error."""

    def __init__(self, where: str | None, lost: list[str], report_lines: list[str]):
        names = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        message = (
            f"--keep-weights would lose the stored weights of {names}; nothing written "
            "(--allow-fresh LAYER lets a layer start fresh)"
        )
        super().__init__(where, message, [])
        self.report_lines = report_lines


@dataclass(frozen=True)
class FreshPolicy:
    """Which layers may start fresh and why: `excused` clone paths (changed, rewired or downstream of a
    change by the user's rules), `removed` source paths, `source_paths` (every layer of the source),
    `allowed` names (`--allow-fresh`: paths, or bare names meaning every layer so named); `any_dtype`:
    the rules set `model.dtype_policy`."""

    excused: frozenset[str]
    removed: frozenset[str]
    source_paths: frozenset[str]
    allowed: frozenset[str] = frozenset()
    any_dtype: bool = False
    own_fields: bool = False  # the rules set a registered model's own fields (`model.set`): its code
    # builds the layers, so any of them may be dropped or refitted by the rules

    def new_layer(self, clone_path: str, source_path: str) -> str:
        """A clone layer with weights but nothing stored for it."""
        if source_path not in self.source_paths:
            return RULES  # added by the rules (or the upgrade): nothing could be stored for it
        return self._unless_allowed(clone_path, source_path)

    def refitted(self, clone_path: str, source_path: str, structural: bool) -> str:
        """A layer some of whose stored tensors did not arrive; `structural`: none of them had a slot of
        the same shape and kind in the clone."""
        if structural and (self.any_dtype or self.own_fields or _under(clone_path, self.excused)):
            return RULES
        return self._unless_allowed(clone_path, source_path)

    def dropped(self, source_path: str) -> str:
        """A source layer the clone does not have."""
        if self.own_fields or _under(source_path, self.removed):
            return RULES
        return self._unless_allowed(source_path, source_path)

    def _unless_allowed(self, *paths: str) -> str:
        """ALLOWED when `--allow-fresh` named the layer: its path, a model holding it, or its bare name."""
        named = any(_under(p, self.allowed) or p.rpartition("/")[2] in self.allowed for p in paths)
        return ALLOWED if named else UNEXPECTED


def _under(path: str, paths: frozenset[str]) -> bool:
    """`path` or one of the nested models holding it is in `paths`."""
    parts = path.split("/")
    return any("/".join(parts[:i]) in paths for i in range(1, len(parts) + 1))


def fresh_policy(plan, allowed: tuple[str, ...] = ()) -> FreshPolicy:
    """The policy for `plan` (a `ClonePlan`): what the user's rules changed, against the upgraded
    source when the built-in upgrade ran."""
    baseline = plan.upgraded or plan.source
    changes = diff(baseline, plan.rewritten)
    by_layer = [(c, c.layer) for c in changes if c.layer is not None]
    renamed = {layer: _renamed_path(layer, c.new) for c, layer in by_layer if c.kind == "renamed"}
    touched = {renamed.get(layer, layer) for c, layer in by_layer if c.kind not in ("renamed", "removed")}
    removed = frozenset(layer for c, layer in by_layer if c.kind == "removed")
    any_dtype = any(c.layer is None and c.path == "dtype_policy" for c in changes)
    sources = frozenset(ref.path_str for ref in plan.source.layers()) | {
        ref.path_str for ref in baseline.layers()
    }
    excused = frozenset(downstream(plan.rewritten, touched))
    own_fields = not is_model_entry(plan.rewritten.envelope) and any(
        c.layer is None and c.kind == "model" and c.path != "name" for c in changes
    )
    return FreshPolicy(excused, removed, sources, frozenset(allowed), any_dtype, own_fields)


def _renamed_path(path: str, name: object) -> str:
    parent = path.rpartition("/")[0]
    return f"{parent}/{name}" if parent else str(name)


def downstream(doc, paths: set[str]) -> set[str]:
    """`paths` and every layer path fed by them (through nested models and wrappers) in `doc`."""
    graph = build_graph(doc)
    by_id = {node.id: node.path for node in graph.nodes}
    readers: dict[str, list[str]] = {}
    for source, target in graph.edges:
        readers.setdefault(source, []).append(target)
    queue = [node.id for node in graph.nodes if _related(node.path, paths)]
    seen = set(queue)
    while queue:
        for target in readers.get(queue.pop(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return set(paths) | {by_id[node] for node in seen}


def _related(path: str, paths: set[str]) -> bool:
    """A node at `path` stands for a changed layer: it is one, holds one (a wrapped layer) or is in one."""
    return any(path == p or p.startswith(path + "/") or path.startswith(p + "/") for p in paths)


def check_allowed(plan, report) -> None:
    """Every `--allow-fresh` name is a layer path or name of the source, the clone or the weight report
    (which names dropped layers as the weights file does); else a `UsageError` with the close ones."""
    refs = [*plan.rewritten.layers(), *plan.source.layers()]
    printed = [path for path, _ in report.reinitialised + report.dropped]
    known = {ref.path_str for ref in refs} | {ref.name for ref in refs} | set(printed)
    known |= {path.rpartition("/")[2] for path in printed}
    for name in plan.allow_fresh:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError("--allow-fresh", f"no layer named {name!r} in the source or the clone{hint}")
