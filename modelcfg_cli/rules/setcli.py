"""`--set PATH=VALUE` one-off edits as rules: `layers.NAME.FIELD=VALUE`, `model.SETTING=VALUE`, or
`model.FIELD=VALUE` for a registered model's own constructor argument (`model.num_layers=1`)."""

from __future__ import annotations

from typing import Any

import yaml

from modelcfg_cli.errors import RulesError, UsageError
from modelcfg_cli.rules.loader import parse_located, rules_from_data
from modelcfg_cli.rules.model import MODEL_KEYS, Rule, RuleSet


def parse_set(option: str) -> RuleSet:
    """`layers.dense_1.units=10` -> a required rule `{match: {name: dense_1}, set: {units: 10}}`.

    NAME may be a path inside nested models (`outer/inner`); VALUE is read as a YAML scalar or flow value.
    """
    label = f"--set {option}"
    path, sep, text = option.partition("=")
    if not sep:
        raise UsageError(label, "expected PATH=VALUE, e.g. layers.dense_1.units=10")
    value = _value(label, text)
    head, _, rest = path.partition(".")
    if head == "model" and rest in MODEL_KEYS:
        return rules_from_data({"model": {rest: value}}, label)
    if head == "model" and rest:  # a registered model's own constructor argument (`num_layers`)
        return rules_from_data({"model": {"set": {rest: value}}}, label)
    name, _, field = rest.partition(".")
    if head != "layers" or not name or not field:
        raise UsageError(label, "PATH must be layers.NAME.FIELD (dotted) or model.SETTING")
    selector = {"path": name} if "/" in name else {"name": name}
    checked = rules_from_data({"rules": [{"match": selector, "set": {field: value}}]}, label)
    [rule] = [step for step in checked.rules if isinstance(step, Rule)]
    return RuleSet((Rule(rule.match, rule.actions, label, required=True),))


def _value(label: str, text: str) -> Any:
    if not text.strip():
        return ""
    try:
        data, _ = parse_located(label, f"value: {text}")
    except RulesError as exc:
        raise UsageError(label, f"cannot read the value: {exc.message}") from None
    except yaml.YAMLError as exc:
        raise UsageError(label, f"cannot read the value: {exc}") from None
    return data["value"]
