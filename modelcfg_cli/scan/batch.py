"""`scan` over many sources: read each (stdin too), scan its config, archive and weights file, in worker
processes; an unreadable source becomes a report with `read_error` set."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from functools import partial

from modelcfg_cli.errors import SourceError
from modelcfg_cli.findings import FileReport
from modelcfg_cli.scan.hashes import sha256_bytes, sha256_path
from modelcfg_cli.scan.model import scan_model
from modelcfg_cli.scan.weights import scan_weights_file, weights_to_scan
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES, read_document, read_document_bytes
from modelcfg_cli.workers import map_in_order


@dataclass(frozen=True)
class ScanOptions:
    """How to scan each source (the same for every file, so it is sent once to each worker)."""

    strict: bool = False
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES
    weights_file: str | None = None  # `--weights FILE`, given with a single source
    hashes: bool = True  # the sha256 of each source (JSON, SARIF and baselines need it)


def scan_source(source: str, options: ScanOptions) -> FileReport:
    """Read and scan one source (its archive members too; `-` is stdin) and its weights file (`--weights`,
    a pair folder's), with the sha256 of what was read; an unreadable one becomes a report with
    `read_error` set."""
    archive = None
    try:
        if source == "-":
            data = sys.stdin.buffer.read()
            doc = read_document_bytes("-", data, options.max_config_bytes)
            archive, digest = io.BytesIO(data), sha256_bytes(data) if options.hashes else None
        else:
            doc = read_document(source, options.max_config_bytes)
            digest = sha256_path(source) if options.hashes else None
        findings = scan_model(doc, strict=options.strict, archive=archive)
        weights = weights_to_scan(doc, options.weights_file)
        if weights:
            findings.extend(scan_weights_file(weights))
    except SourceError as exc:
        return FileReport(source, read_error=str(exc))
    return FileReport(source, findings, sha256=digest)


def scan_sources(sources: list[str], options: ScanOptions, *, jobs: int = 1, done=lambda: None) -> list:
    """Every source scanned, in order (stdin in this process); `done()` after each."""
    jobs = 1 if "-" in sources else jobs
    return list(map_in_order(partial(scan_source, options=options), sources, jobs=jobs, done=done))
