"""The rules language as data: a `RuleSet` of `Rule`s (selector + actions) and model-level settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SELECTOR_KEYS = ("class_name", "name", "name_regex", "path", "where")
PREDICATES = ("eq", "ne", "gt", "ge", "lt", "le", "in", "regex", "exists")
MODEL_KEYS = ("name", "dtype_policy", "input_shape", "set")


@dataclass(frozen=True)
class Rule:
    """One entry of `rules:`: `match` selects layers, `actions` (in file order) edit each of them.

    `where` is `file:line` for messages; `required` makes a rule that matches nothing an error
    (`--set` edits), not just a strict-mode failure.
    """

    match: dict
    actions: tuple[tuple[str, object], ...]
    where: str = ""
    required: bool = False

    def describe(self) -> str:
        """`wrap on class_name=LSTM`: a short label for reports."""
        selector = ", ".join(f"{key}={value}" for key, value in self.match.items()) or "every layer"
        return f"{'+'.join(name for name, _ in self.actions)} on {selector}"


@dataclass(frozen=True)
class BuiltinStep:
    """A built-in rewrite in Python: `function(envelope, metadata) -> (envelope, notes)`."""

    name: str
    function: Callable[[dict, dict], tuple[dict, list[str]]] = field(compare=False)

    @property
    def where(self) -> str:
        return f"builtin:{self.name}"

    def describe(self) -> str:
        return "built-in rewrite"


@dataclass(frozen=True)
class RuleSet:
    """Steps in order (rules and built-in rewrites) plus model-level settings."""

    rules: tuple[Rule | BuiltinStep, ...] = ()
    model: dict = field(default_factory=dict)

    def __add__(self, other: RuleSet) -> RuleSet:
        model = {**self.model, **other.model}
        if "set" in self.model and "set" in other.model:  # `model.set` fields add up
            model["set"] = {**self.model["set"], **other.model["set"]}
        return RuleSet(self.rules + other.rules, model)
