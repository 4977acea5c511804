"""Team policies: rules a team holds its model configs to, checked by `modelcfg validate --policy FILE`.

A policy file holds `policies:`, a list of entries with an `id`; `match` selects layers with the selector
language of rules files (nested models' layers too), `require` is a JSON Schema (2020-12) each matched
layer's config must satisfy, `forbid: true` makes any matched layer a finding, and `model` sets limits on
the whole model (`max_layers`, `max_depth`, `require`: a JSON Schema on the model's config). Errors in the
file name `FILE:LINE`, like rules files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcfg_cli.checks.forbidden import forbidden_detail
from modelcfg_cli.document import LayerRef, ModelDocument
from modelcfg_cli.errors import RulesError
from modelcfg_cli.findings import ERROR, Finding
from modelcfg_cli.rules.loader import MAX_RULES_BYTES, parse_located
from modelcfg_cli.rules.loader import _Checker as RulesChecker
from modelcfg_cli.rules.selectors import matches

POLICY_KEYS = ("id", "match", "require", "forbid", "severity", "message", "model")
MODEL_LIMITS = ("max_layers", "max_depth", "require")
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Policy:
    """One entry of a policy file; `where` is `FILE:LINE` for messages."""

    id: str
    where: str
    match: dict | None = None
    require: dict | None = None
    forbid: bool = False
    severity: str = ERROR
    message: str | None = None
    model: dict = field(default_factory=dict)

    def describe(self) -> str:
        """A one-line description for SARIF rules: the message, else what the policy checks."""
        if self.message:
            return self.message
        checks = [name for name in ("require", "forbid") if getattr(self, name)] + list(self.model)
        return f"Team policy {self.id} ({', '.join(checks)}), from {self.where}."


def load_policy_files(paths) -> tuple[Policy, ...]:
    """The policies of every file in order; an id used twice is an error naming both places."""
    seen: dict[str, Policy] = {}
    for path in paths:
        for policy in load_policies(path):
            if policy.id in seen:
                raise RulesError(
                    policy.where, f"policy id {policy.id!r} is also used at {seen[policy.id].where}"
                )
            seen[policy.id] = policy
    return tuple(seen.values())


def load_policies(path: str | Path) -> tuple[Policy, ...]:
    """Read and check one policy file (YAML or JSON)."""
    label = str(path)
    try:
        if Path(path).stat().st_size > MAX_RULES_BYTES:
            raise RulesError(label, f"policy file larger than {MAX_RULES_BYTES} bytes")
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise RulesError(label, f"cannot read policy file: {getattr(exc, 'strerror', None) or exc}") from None
    data, lines = parse_located(label, text)
    return _PolicyChecker(label, lines).policies(data)


class _PolicyChecker(RulesChecker):
    """The rules-file checker (`fail`, `expect`, `known`, `selector` with did-you-mean) for policies."""

    def policies(self, data: Any) -> tuple[Policy, ...]:
        self.expect(data, dict, (), "a mapping with 'policies'")
        for key in data:
            self.known(key, ("policies",), (key,), "top-level key")
        if "policies" not in data:
            self.fail((), "policy file has no 'policies' list")
        self.expect(data["policies"], list, ("policies",), "a list of policies")
        policies: dict[str, Policy] = {}
        for index, item in enumerate(data["policies"]):
            policy = self.policy(item, ("policies", index))
            if policy.id in policies:
                self.fail(("policies", index, "id"), f"duplicate policy id {policy.id!r}")
            policies[policy.id] = policy
        return tuple(policies.values())

    def policy(self, item: Any, path: tuple) -> Policy:
        self.expect(item, dict, path, "a policy (a mapping with 'id' and what to check)")
        for key in item:
            self.known(key, POLICY_KEYS, (*path, key), "policy key")
        if "id" not in item:
            self.fail(path, "policy has no 'id'")
        self.expect(item["id"], str, (*path, "id"), "a string")
        if not item["id"].strip():
            self.fail((*path, "id"), "id: expected a non-empty string")
        self.checks(item, path)
        line = self.lines.get(path)
        return Policy(
            id=item["id"],
            where=f"{self.label}:{line}" if line else self.label,
            match=(item["match"] or {}) if "match" in item else None,
            require=item.get("require"),
            forbid=bool(item.get("forbid", False)),
            severity=item.get("severity", ERROR),
            message=item.get("message"),
            model=dict(item.get("model") or {}),
        )

    def checks(self, item: dict, path: tuple) -> None:
        name = item["id"]
        layer_checks = [key for key in ("require", "forbid") if key in item]
        if not layer_checks and "model" not in item:
            self.fail(path, f"policy {name!r} checks nothing (give require, forbid or model)")
        if layer_checks and "match" not in item:
            self.fail(path, f"policy {name!r} has no 'match' (use match: {{}} for every layer)")
        if "match" in item:
            if not layer_checks:
                self.fail((*path, "match"), f"policy {name!r}: match needs require or forbid")
            self.selector(item["match"] or {}, (*path, "match"))
        if "require" in item:
            self.schema(item["require"], (*path, "require"), "require")
        if "forbid" in item and item["forbid"] is not True:
            self.fail((*path, "forbid"), f"forbid: expected true, got {item['forbid']!r}")
        if "severity" in item:
            self.expect(item["severity"], str, (*path, "severity"), "error or warning")
            self.known(item["severity"], SEVERITIES, (*path, "severity"), "severity")
        if "message" in item:
            self.expect(item["message"], str, (*path, "message"), "a string")
        if "model" in item:
            self.limits(item["model"], (*path, "model"))

    def limits(self, model: Any, path: tuple) -> None:
        self.expect(model, dict, path, "a mapping of max_layers, max_depth, require")
        if not model:
            self.fail(path, "model: give max_layers, max_depth or require")
        for key, value in model.items():
            self.known(key, MODEL_LIMITS, (*path, key), "model limit")
            if key == "require":
                self.schema(value, (*path, key), "model.require")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.fail((*path, key), f"{key}: expected a whole number >= 0, got {value!r}")

    def schema(self, schema: Any, path: tuple, what: str) -> None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        self.expect(schema, dict, path, "a JSON Schema (a mapping)")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            self.fail((*path, *exc.path), f"{what}: not a valid JSON Schema: {exc.message}")


def check_policies(doc: ModelDocument, policies) -> list[Finding]:
    """Every finding of `policies` in `doc`: per matched layer (nested ones too), then per model."""
    refs = list(doc.layers())
    findings: list[Finding] = []
    for policy in policies:
        if policy.match is not None:
            validator = _validator(policy.require) if policy.require is not None else None
            for ref in refs:
                if matches(policy.match, ref.name, ref.path_str, ref.entry):
                    findings.extend(_layer_findings(policy, ref, validator))
        if policy.model:
            findings.extend(_model_findings(policy, doc, refs))
    return findings


def _validator(schema: dict):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def _finding(policy: Policy, pointer: str, detail: str, ref: LayerRef | None = None) -> Finding:
    message = f"{policy.message}: {detail}" if policy.message else detail
    layer, class_name = (ref.path_str, ref.class_name) if ref else (None, None)
    return Finding(policy.severity, pointer, message, layer, class_name, policy=policy.id)


def _layer_findings(policy: Policy, ref: LayerRef, validator) -> list[Finding]:
    from modelcfg_cli.checks.messages import field_messages

    findings = []
    if policy.forbid:
        detail = forbidden_detail(policy.match, ref)
        findings.append(_finding(policy, ref.pointer, detail, ref))
    if validator is not None:
        for where, detail in field_messages(validator, ref.config, group_depth=None):
            findings.append(_finding(policy, f"{ref.pointer}/config{where}", detail, ref))
    return findings


def _model_findings(policy: Policy, doc: ModelDocument, refs: list[LayerRef]) -> list[Finding]:
    from modelcfg_cli.checks.messages import field_messages

    limits = policy.model
    findings = []
    if "max_layers" in limits and len(refs) > limits["max_layers"]:
        detail = f"the model has {len(refs)} layers, over the limit of {limits['max_layers']}"
        findings.append(_finding(policy, "/config", detail))
    deepest = max(refs, key=lambda ref: ref.depth, default=None)
    if "max_depth" in limits and deepest is not None and deepest.depth > limits["max_depth"]:
        levels = "1 level" if deepest.depth == 1 else f"{deepest.depth} levels"
        detail = f"nested {levels} deep, over the limit of {limits['max_depth']}"
        findings.append(_finding(policy, deepest.pointer, detail, deepest))
    if "require" in limits:
        config = doc.envelope.get("config")
        for where, detail in field_messages(_validator(limits["require"]), config, group_depth=None):
            findings.append(_finding(policy, f"/config{where}", detail))
    return findings
