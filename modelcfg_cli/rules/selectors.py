"""Selectors: does a rule's `match` select this layer? All keys must hold (AND); `{}` selects every layer."""

from __future__ import annotations

import operator
import re
from fnmatch import fnmatchcase
from typing import Any

from modelcfg_cli.document import MISSING, config_of

COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt}
COMPARE["le"] = operator.le


def matches(match: dict, name: str, path: str, entry: dict) -> bool:
    """True when the layer `entry` called `name` at `path` (`outer/inner`) satisfies every selector."""
    config = config_of(entry)
    if "class_name" in match:
        wanted = match["class_name"]
        wanted = [wanted] if isinstance(wanted, str) else wanted
        if entry.get("class_name") not in wanted and entry.get("registered_name") not in wanted:
            return False
    if "name" in match and not fnmatchcase(name, match["name"]):
        return False
    if "name_regex" in match and not re.search(match["name_regex"], name):
        return False
    if "path" in match and not fnmatchcase(path, match["path"]):
        return False
    return all(_holds(lookup(config, field), test) for field, test in match.get("where", {}).items())


def lookup(config: dict, dotted: str) -> Any:
    """The value at a dotted path (`kernel_initializer.config.seed`, list items by index), or MISSING."""
    value: Any = config
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def _holds(value: Any, test: Any) -> bool:
    """One `where` entry: `{op: operand, ...}` (all must hold) or a bare value meaning `eq`."""
    if not isinstance(test, dict):
        test = {"eq": test}
    return all(_predicate(value, op, operand) for op, operand in test.items())


def _predicate(value: Any, op: str, operand: Any) -> bool:
    if op == "exists":
        return (value is not MISSING) == bool(operand)
    if value is MISSING:  # a comparison on a field the layer lacks never holds; `exists` asks that
        return False
    if op == "in":
        return _normal(value) in [_normal(item) for item in operand]
    if op == "regex":
        return isinstance(value, str) and re.search(operand, value) is not None
    try:
        return bool(COMPARE[op](_normal(value), _normal(operand)))
    except TypeError:
        return False


def _normal(value: Any) -> Any:
    """Tuples and lists compare equal (YAML gives lists, configs may hold either)."""
    return list(value) if isinstance(value, tuple) else value
