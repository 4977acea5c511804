"""Hints on the problems of a rewritten model: a field the new class rejects, left behind by a rule that
changed the layer's class (`replace: LSTM -> GRU` keeps `unit_forget_bias`), is fixed by `unset`."""

from __future__ import annotations

import dataclasses
import re

from modelcfg_cli.findings import Finding

UNKNOWN_FIELD = re.compile(r"^unknown field '([^']+)'")


def with_unset_hints(findings: list[Finding], changes) -> list[Finding]:
    """`findings`, where an unknown field of a layer whose class the rules changed says to unset it."""
    changed_class = {change.layer for change in changes if change.kind in ("class_changed", "wrapped")}
    hinted = []
    for finding in findings:
        found = UNKNOWN_FIELD.match(finding.message)
        if found and finding.layer in changed_class:
            hint = f"; the rules changed its class: add `unset: {found.group(1)}` to the rule"
            finding = dataclasses.replace(finding, message=finding.message + hint)
        hinted.append(finding)
    return hinted
