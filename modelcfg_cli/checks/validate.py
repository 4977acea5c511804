"""Checking sources for `validate`: read, optionally upgrade, check schemas and graph, what `scan` finds
(as warnings) and team policies; many files in worker processes. Nothing here prints."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from modelcfg_cli.checks.hub_schemas import preset_part_findings
from modelcfg_cli.checks.schemas import sort_findings, validate_document
from modelcfg_cli.errors import SourceError
from modelcfg_cli.findings import WARNING, FileReport, Finding
from modelcfg_cli.scan.model import code_warnings
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES, read_document
from modelcfg_cli.workers import map_in_order


@dataclass(frozen=True)
class ValidateOptions:
    """How to check each source (the same for every file, so it is sent once to each worker)."""

    strict: bool = False
    schema_dirs: tuple[str, ...] = ()
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES
    upgrade: bool = False
    policies: tuple = ()


def check_source(source: str, options: ValidateOptions) -> FileReport:
    """Read and validate one source (upgraded to Keras 3 first with `upgrade`); an unreadable one becomes
    a report with `read_error` set."""
    from modelcfg_cli.legacy.dropped import dropped_findings
    from modelcfg_cli.legacy.upgrade import needs_upgrade, upgraded_with_notes

    notes = []
    try:
        doc = read_document(source, options.max_config_bytes)
        if options.upgrade:
            doc, upgrade_notes = upgraded_with_notes(doc)
            notes += dropped_findings(upgrade_notes, options.strict)
    except SourceError as exc:
        return FileReport(source, read_error=str(exc))
    if not options.upgrade and needs_upgrade(doc):
        version = doc.keras_version or "an older Keras"
        message = f"saved by {version}: checked as stored; --upgrade checks the Keras 3 config clone builds"
        notes.append(Finding(WARNING, "", message))
    findings = validate_document(doc, options.strict, options.schema_dirs)
    findings += preset_part_findings(doc.path, options.strict)
    findings += code_warnings(doc, findings, strict=options.strict)
    if options.policies:
        from modelcfg_cli.checks.policies import check_policies

        findings += check_policies(doc, options.policies)
    return FileReport(source, notes + sort_findings(findings, list(doc.layers())))


def check_sources(
    sources: list[str], options: ValidateOptions, *, jobs: int = 1, done=lambda: None
) -> list[FileReport]:
    """Every source checked, in order; `done()` is called after each (for a progress bar)."""
    return list(map_in_order(partial(check_source, options=options), sources, jobs=jobs, done=done))
