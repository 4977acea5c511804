"""The library entry point `apply_rules(config, rules)` and the coercion of rules given in any form."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from modelcfg_cli.document import to_envelope
from modelcfg_cli.rules.engine import Report, apply
from modelcfg_cli.rules.loader import load_rules, rules_from_data
from modelcfg_cli.rules.model import RuleSet


def as_ruleset(rules: object) -> RuleSet:
    """A `RuleSet` from a RuleSet, a dict in the rules-file shape, a path (or `builtin:NAME`), or a list
    of those (applied in order); None means no rules."""
    if rules is None:
        return RuleSet()
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, dict):
        return rules_from_data(rules, "rules")
    if isinstance(rules, str | Path):
        return load_rules(rules)
    if isinstance(rules, Iterable):
        total = RuleSet()
        for item in rules:
            total = total + as_ruleset(item)
        return total
    raise TypeError(f"rules must be a dict, a path or a RuleSet, not {type(rules).__name__}")


def apply_rules(config: dict, rules: object, metadata: dict | None = None) -> tuple[dict, Report]:
    """Rewrite a model config with rules; returns the new config (same shape as given) and the report.

    `config` is a full serialized model (`{"class_name", "config", ...}`, as in `to_json()`) or a
    `get_config()` dict; it is not modified.
    """
    envelope = to_envelope("config", config, dict(metadata or {}))
    wrapped = envelope is not config and envelope.get("config") is config
    new, report = apply(envelope, as_ruleset(rules), metadata)
    return (new["config"] if wrapped else new), report
