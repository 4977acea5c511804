"""What a `forbid` policy says about a layer it matched: the selection it forbids, in words, and the
values that put the layer in it (`Dropout layers with rate > 0.25 are forbidden (rate is 0.5)`)."""

from __future__ import annotations

import json

from modelcfg_cli.document import MISSING, LayerRef
from modelcfg_cli.rules.selectors import lookup

SYMBOLS = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "in": "in"}
SYMBOLS["regex"] = "matching"


def forbidden_detail(match: dict | None, ref: LayerRef) -> str:
    """`<class> layers [named ...] [with <field> <op> <value>, ...] are forbidden [(<field> is <value>)]`."""
    match = match or {}
    words = [f"{ref.class_name} layers"]
    for key, label in (("name", "named"), ("name_regex", "named like"), ("path", "at")):
        if key in match:
            words.append(f"{label} {match[key]!r}")
    where = match.get("where") or {}
    conditions = [_condition(field, test) for field, test in where.items()]
    if conditions:
        words.append("with " + " and ".join(conditions))
    found = [f"{field} is {_text(lookup(ref.config, field))}" for field, test in where.items() if _open(test)]
    return " ".join(words) + " are forbidden" + (f" ({', '.join(found)})" if found else "")


def _condition(field: str, test: object) -> str:
    tests = test if isinstance(test, dict) else {"eq": test}
    parts = []
    for op, operand in tests.items():
        if op == "exists":
            parts.append(f"{field} set" if operand else f"no {field}")
        else:
            parts.append(f"{field} {SYMBOLS.get(op, op)} {_text(operand)}")
    return " and ".join(parts)


def _text(value: object) -> str:
    return "absent" if value is MISSING else json.dumps(value, default=str)


def _open(test: object) -> bool:
    """True when the test leaves the value open (a comparison, not one value): the report names it."""
    return isinstance(test, dict) and set(test) != {"eq"}
