"""Renderers for file reports (`validate`): rich text grouped by file, JSON, GitHub annotations.

`RENDERERS` maps each `--format` name to a function `(reports, sink)`.
"""

from __future__ import annotations

import json

from modelcfg_cli.findings import ERROR, FileReport, Finding, summary


def summary_line(reports: list[FileReport]) -> str:
    """`3 files checked: 2 valid, 1 invalid (4 errors, 1 warning)`."""
    counts = summary(reports)
    unreadable = f", {counts['unreadable']} unreadable" if counts["unreadable"] else ""
    return (
        f"{_count(counts['files'], 'file')} checked: {counts['valid']} valid, {counts['invalid']} invalid"
        f"{unreadable} ({_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')})"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _finding_json(finding: Finding) -> dict:
    return {
        "pointer": finding.pointer,
        "layer": finding.layer,
        "class_name": finding.class_name,
        "message": finding.message,
        "severity": finding.severity,
    }


def as_json(reports: list[FileReport]) -> str:
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


def as_github(reports: list[FileReport]) -> str:
    """One `::error file=...,title=...::message` line per finding, then the summary line."""
    lines = []
    for report in reports:
        for finding in report.findings:
            title = f"{finding.layer} ({finding.class_name})" if finding.layer else "model"
            lines.append(
                f"::{finding.severity} file={_escape_property(report.path)},"
                f"title={_escape_property('modelcfg: ' + title)}::{_escape_data(finding.line())}"
            )
    lines.append(summary_line(reports))
    return "\n".join(lines) + "\n"


def render_text(reports: list[FileReport], sink) -> None:
    """A block per readable file (a status line, then its findings), then the summary line."""
    from rich.markup import escape

    console = sink.console()

    for report in reports:
        if report.read_error is not None:
            continue
        status = "[green]valid[/green]" if report.valid else "[red]invalid[/red]"
        counts = f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"
        console.print(f"[bold]{escape(report.path)}[/bold]: {status} ({counts})")
        for finding in report.findings:
            style = "red" if finding.severity == ERROR else "yellow"
            console.print(f"  [{style}]{finding.severity:<7}[/{style}] {escape(finding.line())}")
    console.print(summary_line(reports))


def render_json(reports: list[FileReport], sink) -> None:
    """The JSON report (never coloured)."""
    sink.write(as_json(reports))


def render_github(reports: list[FileReport], sink) -> None:
    """GitHub workflow annotations."""
    sink.write(as_github(reports))


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
