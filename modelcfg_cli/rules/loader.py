"""Read a rules file (YAML or JSON) into a `RuleSet`; every error names `file:line`."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from modelcfg_cli.errors import RulesError
from modelcfg_cli.rules.action_checks import kind_name
from modelcfg_cli.rules.builtin import BUILTINS
from modelcfg_cli.rules.model import (
    MODEL_KEYS,
    PREDICATES,
    SELECTOR_KEYS,
    BuiltinStep,
    Rule,
    RuleSet,
)
from modelcfg_cli.rules.registry import ACTIONS
from modelcfg_cli.sources.text import MAX_NODES, bounded_loader

MAX_RULES_BYTES = 4 * 1024 * 1024
SURROGATE = re.compile("[\ud800-\udfff]")
PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def load_rules(source: str | Path) -> RuleSet:
    """A rules file, or `builtin:NAME` from the registry in `modelcfg_cli.rules.builtin`."""
    text = str(source)
    if text.startswith("builtin:"):
        return builtin_rules(text[len("builtin:") :])
    path = Path(source)
    try:
        if path.stat().st_size > MAX_RULES_BYTES:
            raise RulesError(text, f"rules file larger than {MAX_RULES_BYTES} bytes")
        content = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: bad UTF-8 in the file, a NUL in the path
        raise RulesError(text, f"cannot read rules file: {getattr(exc, 'strerror', None) or exc}") from None
    data, lines = parse_located(text, content)
    return rules_from_data(data, text, lines)


def builtin_rules(name: str) -> RuleSet:
    """The built-in rule set NAME: a Python rewrite step or a bundled rules file."""
    if name not in BUILTINS:
        close = difflib.get_close_matches(name, list(BUILTINS), n=1)
        known = (
            f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(BUILTINS)) or 'none'})"
        )
        raise RulesError(f"builtin:{name}", f"no built-in rule set {name!r}{known}")
    target = BUILTINS[name]
    if isinstance(target, Path):
        return load_rules(target)
    return RuleSet((BuiltinStep(name, target),))


class _Located:
    """YAML parsing that keeps the line of every key and value, keyed by path (`("rules", 0, "wrap")`)."""

    def __init__(self, label: str, text: str):
        self.label = label
        self.loader = bounded_loader()(text)
        self.lines: dict[tuple, int] = {}

    def parse(self) -> Any:
        try:
            node = self.loader.get_single_node()
            if node is not None and _expanded_size(node, {}) > MAX_NODES:
                raise RulesError(self.label, f"rules file has more than {MAX_NODES} values (an alias bomb?)")
            return None if node is None else self.convert(node, ())
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{self.label}:{mark.line + 1}" if mark else self.label
            raise RulesError(where, f"invalid YAML: {exc.problem or exc.context}") from None
        except yaml.YAMLError as exc:
            raise RulesError(self.label, f"invalid YAML: {exc}") from None
        except RecursionError:
            raise RulesError(self.label, "invalid YAML: nested too deeply") from None
        finally:
            self.loader.dispose()

    def convert(self, node: yaml.Node, path: tuple) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in PLAIN_TAGS:
            raise RulesError(
                f"{self.label}:{node.start_mark.line + 1}", f"invalid YAML: unsupported tag {node.tag!r}"
            )
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise RulesError(f"{self.label}:{key_node.start_mark.line + 1}", "keys must be strings")
                if key in result:
                    raise RulesError(f"{self.label}:{key_node.start_mark.line + 1}", f"duplicate key {key!r}")
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = self.convert(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar; JSON's escaped surrogate pairs (`"\\ud83d\\ude00"`), which YAML reads as two lone
        surrogates, are joined into one character."""
        value = self.loader.construct_object(node)
        if isinstance(value, str) and SURROGATE.search(value):
            try:
                return value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                raise RulesError(
                    f"{self.label}:{node.start_mark.line + 1}", "invalid text: a lone surrogate"
                ) from None
        return value


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` becomes once every alias is expanded; each shared node is sized once."""
    if id(node) not in sizes:
        if isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


def parse_located(label: str, text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML (JSON is YAML) safely: no Python tags, no NaN, no alias bombs; returns data and lines."""
    located = _Located(label, text)
    return located.parse(), located.lines


class _Checker:
    """Validate rules data and build the `RuleSet`; errors carry `label:line`."""

    def __init__(self, label: str, lines: dict[tuple, int]):
        self.label = label
        self.lines = lines

    def fail(self, path: tuple, message: str):
        while path and path not in self.lines:
            path = path[:-1]
        line = self.lines.get(path)
        raise RulesError(f"{self.label}:{line}" if line else self.label, message)

    def expect(self, value: Any, kind, path: tuple, what: str) -> None:
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.fail(path, f"{path[-1] if path else 'rules file'}: expected {what}, got {kind_name(value)}")

    def known(self, key: Any, allowed: tuple, path: tuple, what: str) -> None:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (expected one of: {', '.join(allowed)})"
            self.fail(path, f"unknown {what} {key!r}{hint}")

    def ruleset(self, data: Any) -> RuleSet:
        if data is None:
            return RuleSet()
        self.expect(data, dict, (), "a mapping with 'rules' and/or 'model'")
        for key in data:
            self.known(key, ("rules", "model"), (key,), "top-level key")
        rules = data.get("rules") or []
        self.expect(rules, list, ("rules",), "a list of rules")
        model = data.get("model") or {}
        self.model(model)
        return RuleSet(tuple(self.rule(item, ("rules", i)) for i, item in enumerate(rules)), dict(model))

    def rule(self, item: Any, path: tuple) -> Rule:
        self.expect(item, dict, path, "a rule (a mapping with 'match' and an action)")
        if "match" not in item:
            self.fail(path, "rule has no 'match' (use match: {} for every layer)")
        match = item["match"] if item["match"] is not None else {}
        self.selector(match, (*path, "match"))
        actions = []
        for key, value in item.items():
            if key == "match":
                continue
            self.known(key, tuple(ACTIONS), (*path, key), "action")
            ACTIONS[key].check(self, key, value, (*path, key))
            actions.append((key, value))
        if not actions:
            self.fail(path, f"rule has no action (expected one of: {', '.join(ACTIONS)})")
        if "remove" in item and actions[-1][0] != "remove":
            self.fail(
                (*path, actions[-1][0]), "remove must be the rule's last action (the layer is gone after it)"
            )
        line = self.lines.get(path)
        where = f"{self.label}:{line}" if line else f"{self.label}[{path[-1]}]"
        return Rule(dict(match), tuple(actions), where)

    def selector(self, match: Any, path: tuple) -> None:
        self.expect(match, dict, path, "a mapping of selectors")
        for key, value in match.items():
            here = (*path, key)
            self.known(key, SELECTOR_KEYS, here, "selector")
            if key == "class_name":
                if not (
                    isinstance(value, str)
                    or isinstance(value, list)
                    and all(isinstance(v, str) for v in value)
                ):
                    self.fail(
                        here, f"class_name: expected a class name or a list of them, got {kind_name(value)}"
                    )
            elif key == "where":
                self.where(value, here)
            else:
                self.expect(value, str, here, "a string")
                if key == "name_regex":
                    self.regex(value, here)

    def where(self, where: Any, path: tuple) -> None:
        self.expect(where, dict, path, "a mapping of field: {op: value}")
        for field, test in where.items():
            if not isinstance(test, dict):
                continue
            for op, operand in test.items():
                self.known(op, PREDICATES, (*path, field, op), "predicate")
                if op == "in":
                    self.expect(operand, list, (*path, field, op), "a list")
                elif op == "regex":
                    self.expect(operand, str, (*path, field, op), "a string")
                    self.regex(operand, (*path, field, op))

    def regex(self, pattern: str, path: tuple) -> None:
        try:
            re.compile(pattern)
        except re.error as exc:
            self.fail(path, f"invalid regular expression {pattern!r}: {exc}")

    def model(self, model: Any) -> None:
        self.expect(model, dict, ("model",), "a mapping")
        for key, value in model.items():
            here = ("model", key)
            self.known(key, MODEL_KEYS, here, "model setting")
            if key in ("name", "dtype_policy"):
                self.expect(value, str, here, "a string")
            elif key == "set":
                self.expect(value, dict, here, "a mapping of the model's constructor arguments")
                for name in value:
                    self.expect(name, str, (*here, name), "an argument name")
            elif isinstance(value, dict):
                for name, dims in value.items():
                    self.shape(dims, (*here, name))
            else:
                self.shape(value, here)

    def shape(self, dims: Any, path: tuple) -> None:
        ok = isinstance(dims, list) and all(
            d is None or isinstance(d, int) and not isinstance(d, bool) for d in dims
        )
        if not ok:
            self.fail(path, f"input_shape: expected a list of sizes without the batch axis, got {dims!r}")


def rules_from_data(data: Any, label: str = "rules", lines: dict[tuple, int] | None = None) -> RuleSet:
    """Validate rules already parsed (a dict in the rules-file shape) and build the `RuleSet`."""
    return _Checker(label, lines or {}).ruleset(data)
