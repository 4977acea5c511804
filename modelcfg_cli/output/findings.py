"""Renderers for file reports (`validate`, `scan`): rich text grouped by file, JSON, GitHub annotations,
SARIF 2.1.0.

`RENDERERS` maps each `--format` name to a function `(view, sink)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from modelcfg_cli.findings import ERROR, FileReport, Finding, summary


@dataclass(frozen=True)
class Wording:
    """A report's words: `checked`/`valid`/`invalid` (validate), `scanned`/`passed`/`failed` (scan)."""

    verb: str = "checked"
    good: str = "valid"
    bad: str = "invalid"


VALIDATE_WORDS = Wording()
SCAN_WORDS = Wording("scanned", "passed", "failed")


@dataclass(frozen=True)
class FindingsView:
    """The reports of many files, the words to use, and a description of each rule id (for SARIF)."""

    reports: list[FileReport]
    words: Wording = VALIDATE_WORDS
    rules: dict[str, str] = field(default_factory=dict)


def summary_line(reports: list[FileReport], words: Wording = VALIDATE_WORDS) -> str:
    """`3 files checked: 2 valid, 1 invalid (4 errors, 1 warning)`."""
    counts = summary(reports)
    unreadable = f", {counts['unreadable']} unreadable" if counts["unreadable"] else ""
    suppressed = sum(r.suppressed for r in reports)
    dropped = f"; {suppressed} suppressed" if suppressed else ""
    return (
        f"{_count(counts['files'], 'file')} {words.verb}: {counts['valid']} {words.good}, "
        f"{counts['invalid']} {words.bad}{unreadable} "
        f"({_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')}{dropped})"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _finding_json(finding: Finding) -> dict:
    data: dict[str, Any] = {
        "pointer": finding.pointer,
        "layer": finding.layer,
        "class_name": finding.class_name,
        "message": finding.message,
        "severity": finding.severity,
    }
    # only when set: validate's plain findings keep their shape
    for key in ("rule", "policy", "member", "imports", "dangerous"):
        value = getattr(finding, key)
        if value is not None:
            data[key] = list(value) if isinstance(value, tuple) else value
    return data


def as_json(reports: list[FileReport], *, scanned: bool = False) -> str:
    """`{"files": [{"path", "valid", "errors", "warnings"}], "summary": {...}}` for readable files;
    `scanned` (scan's report) adds each file's `sha256` and the summary's `suppressed` count."""
    files = [_file_json(r, scanned) for r in reports if r.read_error is None]
    counts = summary(reports)
    if scanned:
        counts["suppressed"] = sum(r.suppressed for r in reports)
    return json.dumps({"files": files, "summary": counts}, indent=2, sort_keys=True) + "\n"


def _file_json(report: FileReport, scanned: bool) -> dict:
    data = {
        "path": report.path,
        "valid": report.valid,
        "errors": [_finding_json(f) for f in report.errors],
        "warnings": [_finding_json(f) for f in report.warnings],
    }
    if scanned:
        data["sha256"] = report.sha256
        data["suppressed"] = report.suppressed
    return data


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(reports: list[FileReport], words: Wording = VALIDATE_WORDS) -> str:
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


def render_text(view: FindingsView, sink) -> None:
    """A block per readable file (a status line, then its findings), then the summary line."""
    from rich.markup import escape

    console = sink.console()
    words = view.words
    for report in view.reports:
        if report.read_error is not None:
            continue
        status = f"[green]{words.good}[/green]" if report.valid else f"[red]{words.bad}[/red]"
        counts = f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
        console.print(f"[bold]{escape(report.path)}[/bold]: {status} ({counts})")
        for finding in report.findings:
            style = "red" if finding.severity == ERROR else "yellow"
            at = f" [dim](at {escape(finding.pointer)})[/dim]" if finding.pointer else ""
            console.print(f"  [{style}]{finding.severity:<7}[/{style}] {escape(finding.line())}{at}")
    console.print(summary_line(view.reports, words))


def render_json(view: FindingsView, sink) -> None:
    """The JSON report (never coloured)."""
    sink.write(as_json(view.reports, scanned=view.words is SCAN_WORDS))


def render_github(view: FindingsView, sink) -> None:
    """GitHub workflow annotations."""
    sink.write(as_github(view.reports, view.words))


def render_sarif(view: FindingsView, sink) -> None:
    """A SARIF 2.1.0 log for GitHub code scanning."""
    from modelcfg_cli.output.sarif import to_sarif

    sink.write(to_sarif(view.reports, view.rules))


RENDERERS = {"text": render_text, "json": render_json, "github": render_github, "sarif": render_sarif}
