"""SARIF 2.1.0 for `validate` and `scan` reports, ready for GitHub code scanning (`upload-sarif`).

One run; the driver lists the rules the results use; each result names its rule, level, message, the
model file (relative to the working directory, under `%SRCROOT%`) and the layer path and JSON pointer as
logical locations. For `scan`, the run's `artifacts` list each file with its sha256, results point at
them by index, and a second fingerprint keys the finding to the file's digest. Files that could not be
read become error notifications of the invocation.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from modelcfg_cli.findings import FileReport, Finding
from modelcfg_cli.version import version_text

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://modelcfg.dev"
CONFIG_RULE = "config"
CONFIG_DESCRIPTION = "The config breaks a Keras layer schema or the layer graph is inconsistent."
SRCROOT = "%SRCROOT%"


def rule_id(finding: Finding) -> str:
    """The SARIF ruleId: the policy id, the scan rule, else `config` (schema and graph checks)."""
    return finding.policy or finding.rule or CONFIG_RULE


def to_sarif(reports: list[FileReport], descriptions: dict[str, str], root: str | None = None) -> str:
    """The SARIF log for `reports`; `descriptions` maps rule ids to their one-line description."""
    base = Path(root or os.getcwd()).resolve()
    findings = [(report, finding) for report in reports for finding in report.findings]
    rule_ids = sorted({rule_id(finding) for _, finding in findings})
    index = {rule: position for position, rule in enumerate(rule_ids)}
    hashed = [report for report in reports if report.sha256]
    artifacts = {report.path: position for position, report in enumerate(hashed)}
    run = {
        "tool": {"driver": _driver(rule_ids, descriptions)},
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri() + "/"}},
        "invocations": [_invocation(reports, base)],
        "results": [_result(finding, report, base, index, artifacts) for report, finding in findings],
    }
    if hashed:  # scan: each file with its sha256, so a result is tied to the exact bytes scanned
        run["artifacts"] = [
            {"location": _artifact(report.path, base), "hashes": {"sha-256": report.sha256}}
            for report in hashed
        ]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _driver(rule_ids: list[str], descriptions: dict[str, str]) -> dict:

    version = version_text().split()[1]
    rules = [
        {"id": rule, "shortDescription": {"text": descriptions.get(rule) or CONFIG_DESCRIPTION}}
        for rule in rule_ids
    ]
    return {"name": "modelcfg", "version": version, "informationUri": INFORMATION_URI, "rules": rules}


def _invocation(reports: list[FileReport], base: Path) -> dict:
    notifications = [
        {
            "level": "error",
            "message": {"text": report.read_error},
            "locations": [{"physicalLocation": _physical(report.path, base)}],
        }
        for report in reports
        if report.read_error is not None
    ]
    return {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}


def _artifact(path: str, base: Path) -> dict:
    """The file's URI: relative to `base` under %SRCROOT% when inside it, else an absolute file URI."""
    if path == "-":
        return {"uri": "stdin"}
    full = Path(path).resolve()
    try:
        relative = full.relative_to(base)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def _physical(path: str, base: Path) -> dict:
    # A model file has no lines to point at; GitHub needs a region, so every result is on line 1.
    return {"artifactLocation": _artifact(path, base), "region": {"startLine": 1}}


def _result(finding: Finding, report: FileReport, base: Path, index: dict, artifacts: dict) -> dict:
    rule = rule_id(finding)
    physical = _physical(report.path, base)
    fingerprints = {"primaryLocationLineHash": _fingerprint(finding, report.path)}
    if report.path in artifacts:
        physical["artifactLocation"]["index"] = artifacts[report.path]
        fingerprints["modelcfgFinding/v1"] = _fingerprint(finding, report.sha256)
    result = {
        "ruleId": rule,
        "ruleIndex": index[rule],
        "level": "error" if finding.severity == "error" else "warning",
        "message": {"text": _text(finding)},
        "locations": [{"physicalLocation": physical, "logicalLocations": _logical(finding)}],
        "partialFingerprints": fingerprints,
    }
    properties = {
        key: getattr(finding, key)
        for key in ("pointer", "layer", "class_name", "policy", "member", "imports", "dangerous")
        if getattr(finding, key) is not None
    }
    return {**result, "properties": properties}


def _text(finding: Finding) -> str:
    if finding.layer:
        return f"{finding.layer} ({finding.class_name}): {finding.message}"
    if finding.member:
        return finding.message
    return f"{finding.pointer or '/'}: {finding.message}"


def _logical(finding: Finding) -> list[dict]:
    places = []
    if finding.layer:
        name = finding.layer.rsplit("/", 1)[-1]
        places.append({"name": name, "fullyQualifiedName": finding.layer, "kind": "object"})
    if finding.member:
        places.append({"name": finding.member, "fullyQualifiedName": finding.member, "kind": "resource"})
    if finding.pointer:
        places.append({"name": finding.pointer, "fullyQualifiedName": finding.pointer, "kind": "property"})
    return places or [{"name": "model", "kind": "object"}]


def _fingerprint(finding: Finding, file: str | None) -> str:
    """Stable across runs for the same finding in the same file, named by its path or (scan) its sha256
    (the file has no lines to hash)."""
    key = "\0".join(str(part) for part in (file, rule_id(finding), finding.pointer, finding.member))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + ":1"
