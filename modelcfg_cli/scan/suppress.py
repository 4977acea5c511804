"""Accepted findings of `scan`: `--ignore RULE[:PATH-GLOB]` and a baseline file, so that CI fails only on
new findings.

A baseline (written by `--write-baseline FILE`) is JSON: `{"modelcfg-baseline": 1, "findings": [...]}`,
one entry per finding with its `rule`, the file's `sha256` and `path`, and its `location` (the archive
member and/or JSON pointer). A finding is suppressed when an entry has its rule and location and either
the same file digest (the file moved) or the same path (the file changed elsewhere). Suppressed findings
are dropped from the reports and counted.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePath

from modelcfg_cli.errors import SourceError, UsageError
from modelcfg_cli.findings import FileReport, Finding

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Ignore:
    """`--ignore RULE[:PATH-GLOB]`: the rule, and the glob its file or archive member must match."""

    rule: str
    glob: str | None = None

    def matches(self, finding: Finding, path: str) -> bool:
        if finding.rule != self.rule:
            return False
        if self.glob is None:
            return True
        names = {path, PurePath(path).as_posix(), finding.member or ""}
        return any(name and fnmatchcase(name, self.glob) for name in names)


def parse_ignore(text: str, rules: dict[str, str]) -> Ignore:
    """`pickle:assets/*.pkl` -> Ignore("pickle", "assets/*.pkl"); a `UsageError` for an unknown rule."""
    rule, _, glob = text.partition(":")
    if rule not in rules:
        known = ", ".join(sorted(rules))
        raise UsageError(None, f"--ignore {text!r}: no scan rule {rule!r} (rules: {known})")
    return Ignore(rule, glob or None)


def location(finding: Finding) -> str:
    """`assets/x.pkl`, `/config/layers/3`, or both joined by `#`."""
    parts = [part for part in (finding.member, finding.pointer) if part]
    return "#".join(parts) or "/"


def _key(rule: object, where: object, file: object) -> tuple:
    return (str(rule), str(where), str(file))


@dataclass(frozen=True)
class Baseline:
    """The accepted findings, looked up by (rule, location, sha256) and (rule, location, path)."""

    keys: frozenset

    def accepts(self, finding: Finding, report: FileReport) -> bool:
        where = location(finding)
        return (
            _key(finding.rule, where, report.sha256) in self.keys
            or _key(finding.rule, where, report.path) in self.keys
        )


def load_baseline(path: str) -> Baseline:
    """The baseline file at `path`; a `SourceError` when it is missing or not a baseline."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(path, f"cannot read the baseline ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise SourceError(path, f"the baseline is not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("modelcfg-baseline") != BASELINE_VERSION:
        raise SourceError(path, "not a modelcfg baseline (write one with `scan --write-baseline FILE`)")
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SourceError(path, "the baseline's `findings` must be a list of objects")
    keys = set()
    for entry in entries:
        keys.add(_key(entry.get("rule"), entry.get("location"), entry.get("sha256")))
        keys.add(_key(entry.get("rule"), entry.get("location"), entry.get("path")))
    return Baseline(frozenset(keys))


def baseline_json(reports: list[FileReport]) -> str:
    entries = [
        {"rule": f.rule, "location": location(f), "sha256": r.sha256, "path": r.path, "message": f.message}
        for r in reports
        for f in r.findings
    ]
    return json.dumps({"modelcfg-baseline": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"


def write_baseline(path: str, reports: list[FileReport]) -> Baseline:
    """Write every finding of `reports` to `path` (whole or not at all); the baseline they make."""
    text = baseline_json(reports)
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=".baseline-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        raise SourceError(path, f"cannot write the baseline ({exc.strerror or exc})") from exc
    return Baseline(frozenset(_keys(reports)))


def _keys(reports: list[FileReport]) -> set:
    return {
        _key(f.rule, location(f), name) for r in reports for f in r.findings for name in (r.sha256, r.path)
    }


def suppress(reports: list[FileReport], ignores=(), baseline: Baseline | None = None) -> list[FileReport]:
    """The reports without the ignored and baselined findings, each counting how many it lost."""
    out = []
    for report in reports:
        kept = [
            finding
            for finding in report.findings
            if not any(ignore.matches(finding, report.path) for ignore in ignores)
            and not (baseline is not None and baseline.accepts(finding, report))
        ]
        dropped = len(report.findings) - len(kept)
        out.append(replace(report, findings=kept, suppressed=report.suppressed + dropped))
    return out
