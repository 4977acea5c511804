"""`apply(envelope, ruleset)`: run rules in order on a copy of a serialized model, and report."""

from __future__ import annotations

import copy
import difflib
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import modelcfg_cli.rules.wiring as wiring
from modelcfg_cli.document import is_model_entry, is_sequential, layer_name, model_layers
from modelcfg_cli.errors import RulesError
from modelcfg_cli.rules.actions import ActionError, Edits, Site, drop_build_configs
from modelcfg_cli.rules.inner import IN_PLACE_ACTIONS, both_directions, inner_sites
from modelcfg_cli.rules.model import BuiltinStep, Rule, RuleSet
from modelcfg_cli.rules.model_actions import apply_model_settings
from modelcfg_cli.rules.registry import ACTIONS
from modelcfg_cli.rules.selectors import matches


@dataclass(frozen=True)
class RuleResult:
    """How one rule (or built-in step) went: where it is written and the layers it matched."""

    where: str
    description: str
    matched: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """Every rule's result in order, and notes from the model-level settings."""

    results: tuple[RuleResult, ...] = ()
    model_notes: tuple[str, ...] = ()

    def unmatched(self) -> list[RuleResult]:
        """Rules that selected no layer (a failure under `--strict`)."""
        return [r for r in self.results if not r.matched and not r.where.startswith("builtin:")]

    def as_dict(self) -> dict:
        return {
            "rules": [{**asdict(r), "count": len(r.matched)} for r in self.results],
            "model": list(self.model_notes),
        }


def sites(container: dict, prefix: tuple[str, ...] = (), inner: bool = False) -> Iterator[Site]:
    """Every layer of a model in order, each followed (depth first) by the layers of a nested model and,
    with `inner`, the layers inside a wrapper."""
    for entry in list(model_layers(container)):
        if not isinstance(entry, dict):
            continue
        path = (*prefix, layer_name(entry))
        site = Site(container, entry, path)
        yield site
        if is_model_entry(entry):
            yield from sites(entry, path, inner)
        elif inner:
            yield from inner_sites(site)


def apply(envelope: dict, ruleset: RuleSet, metadata: dict | None = None) -> tuple[dict, Report]:
    """Apply `ruleset` to a deep copy of `envelope`; the input is never modified."""
    model = copy.deepcopy(envelope)
    edits = Edits()
    results = []
    for step in ruleset.rules:
        if isinstance(step, BuiltinStep):
            before = model
            model, notes = step.function(model, dict(metadata or {}))
            changed = changed_layers(before, model, metadata)
            results.append(RuleResult(step.where, step.describe(), changed, tuple(notes)))
        else:
            results.append(_apply_rule(model, step, edits))
    model_notes = apply_model_settings(model, ruleset.model)
    drop_stale(model, edits.reshaped)
    return model, Report(tuple(results), tuple(model_notes))


def changed_layers(before: dict, after: dict, metadata: dict | None) -> tuple[str, ...]:
    """The layers (paths) a built-in rewrite changed, added or removed, as `diff` sees them."""
    from modelcfg_cli.diffing.diff import diff
    from modelcfg_cli.document import ModelDocument

    meta = dict(metadata or {})
    changes = diff(ModelDocument(before, meta, "before"), ModelDocument(after, meta, "after"))
    return tuple(dict.fromkeys(change.layer for change in changes if change.layer is not None))


def _apply_rule(model: dict, rule: Rule, edits: Edits) -> RuleResult:
    in_place = all(action in IN_PLACE_ACTIONS for action, _ in rule.actions)
    candidates = sites(model, inner=in_place)
    selected = [site for site in candidates if matches(rule.match, site.name, site.label, site.entry)]
    if not selected and rule.required:
        wanted = rule.match.get("name") or rule.match.get("path")
        raise RulesError(rule.where, f"no layer named {wanted!r}{_hint(model, rule)}")
    matched = []
    for site in selected:
        label = site.label
        for action, argument in rule.actions:
            try:
                for target in both_directions(site):
                    ACTIONS[action].apply(target, argument, edits)
            except ActionError as exc:
                raise RulesError(rule.where, f"{action} {label}: {exc}") from None
            except ValueError as exc:
                raise RulesError(rule.where, f"{action}: {exc}") from None
        if site.owner is not None and edits.reshaped & {id(t.entry) for t in both_directions(site)}:
            edits.touch(site.owner)  # the wrapper's output shape follows its layer's
        matched.append(label)
    return RuleResult(rule.where, rule.describe(), tuple(matched))


def _hint(model: dict, rule: Rule) -> str:
    wanted = str(rule.match.get("name") or rule.match.get("path") or "")
    names = [site.label for site in sites(model, inner=True)] + [
        site.name for site in sites(model, inner=True)
    ]
    close = difflib.get_close_matches(wanted, names, n=3)
    return f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""


def drop_stale(container: dict, reshaped: set[int]) -> bool:
    """Drop `build_config` from every layer whose input may have changed shape: the edited layers and
    everything downstream of them (across nested models). True when this model holds such an edit."""
    layers = [entry for entry in model_layers(container) if isinstance(entry, dict)]
    edited = {
        id(entry)
        for entry in layers
        if id(entry) in reshaped or (is_model_entry(entry) and drop_stale(entry, reshaped))
    }
    if not edited:
        return False
    for entry in _downstream(container, layers, edited):
        drop_build_configs(entry)
    return True


def _downstream(container: dict, layers: list[dict], edited: set[int]) -> list[dict]:
    if is_sequential(container):
        first = next(i for i, entry in enumerate(layers) if id(entry) in edited)
        return layers[first:]
    by_name = {layer_name(entry): entry for entry in layers}
    readers: dict[str, list[str]] = {}
    for entry in layers:
        for ref in wiring.references(entry.get("inbound_nodes")):
            readers.setdefault(ref[0], []).append(layer_name(entry))
    queue = deque(layer_name(entry) for entry in layers if id(entry) in edited)
    seen = set(queue)
    while queue:
        for reader in readers.get(queue.popleft(), []):
            if reader not in seen:
                seen.add(reader)
                queue.append(reader)
    return [by_name[name] for name in seen if name in by_name]
