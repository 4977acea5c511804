"""Renderers for `validate` and `scan` reports: rich text grouped by file, JSON, GitHub annotations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from modelcfg_cli.findings import ERROR, WARNING, Finding


@dataclass(frozen=True)
class FileReport:
    """What `validate` found in one source; `read_error` is set when the source could not be read."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    read_error: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return self.read_error is None and not self.errors


def summary(reports: list[FileReport]) -> dict:
    """Counts over all files."""
    read = [r for r in reports if r.read_error is None]
    return {
        "files": len(reports),
        "valid": sum(r.valid for r in read),
        "invalid": sum(not r.valid for r in read),
        "unreadable": len(reports) - len(read),
        "errors": sum(len(r.errors) for r in read),
        "warnings": sum(len(r.warnings) for r in read),
    }


@dataclass(frozen=True)
class Wording:
    """A report's words: `checked`/`valid`/`invalid` (validate), `scanned`/`passed`/`failed` (scan)."""

    verb: str = "checked"
    good: str = "valid"
    bad: str = "invalid"


VALIDATE_WORDS = Wording()
SCAN_WORDS = Wording("scanned", "passed", "failed")


def summary_line(reports: list[FileReport], words: Wording = VALIDATE_WORDS) -> str:
    """`3 files checked: 2 valid, 1 invalid (4 errors, 1 warning)`."""
    counts = summary(reports)
    unreadable = f", {counts['unreadable']} unreadable" if counts["unreadable"] else ""
    return (
        f"{_count(counts['files'], 'file')} {words.verb}: {counts['valid']} {words.good}, "
        f"{counts['invalid']} {words.bad}{unreadable} "
        f"({_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')})"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _finding_json(finding: Finding) -> dict:
    data = {
        "pointer": finding.pointer,
        "layer": finding.layer,
        "class_name": finding.class_name,
        "message": finding.message,
        "severity": finding.severity,
    }
    for key in ("rule", "policy", "member"):  # only when set: validate's plain findings keep their shape
        if getattr(finding, key) is not None:
            data[key] = getattr(finding, key)
    return data


def to_json(reports: list[FileReport]) -> str:
    """`{"files": [{"path", "valid", "errors", "warnings"}], "summary": {...}}` for readable files."""
    files = [
        {
            "path": r.path,
            "valid": r.valid,
            "errors": [_finding_json(f) for f in r.errors],
            "warnings": [_finding_json(f) for f in r.warnings],
        }
        for r in reports
        if r.read_error is None
    ]
    return json.dumps({"files": files, "summary": summary(reports)}, indent=2, sort_keys=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(reports: list[FileReport], words: Wording = VALIDATE_WORDS) -> str:
    """One `::error file=...,title=...::message` line per finding, then the summary line."""
    lines = []
    for report in reports:
        for finding in report.findings:
            title = f"{finding.layer} ({finding.class_name})" if finding.layer else finding.member or "model"
            lines.append(
                f"::{finding.severity} file={_escape_property(report.path)},"
                f"title={_escape_property('modelcfg: ' + title)}::{_escape_data(finding.line())}"
            )
    lines.append(summary_line(reports, words))
    return "\n".join(lines) + "\n"


def render_text(reports: list[FileReport], console, words: Wording = VALIDATE_WORDS) -> None:
    """A block per readable file (a status line, then its findings), then the summary line."""
    from rich.markup import escape

    for report in reports:
        if report.read_error is not None:
            continue
        status = f"[green]{words.good}[/green]" if report.valid else f"[red]{words.bad}[/red]"
        counts = f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
        console.print(f"[bold]{escape(report.path)}[/bold]: {status} ({counts})")
        for finding in report.findings:
            style = "red" if finding.severity == ERROR else "yellow"
            console.print(f"  [{style}]{finding.severity:<7}[/{style}] {escape(finding.line())}")
    console.print(summary_line(reports, words))
