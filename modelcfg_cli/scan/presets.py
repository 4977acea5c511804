"""`scan` of a keras-hub preset folder: its files as a model folder's (the files keras-hub writes are
known: part configs, `model.weights.json`, shards that must be HDF5, `task.weights.h5`, `README.md`),
and the code-bearing places of its part configs (tokenizer, preprocessor, task), named by file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.scan.archive import check_member, scan_folder, sniff
from modelcfg_cli.sources.presets import preset_member, preset_parts

NOT_WRITTEN = "Keras does not write"


def scan_preset(path: str, scan_document) -> list[Finding]:
    """Findings for the files of the preset at `path`, then for its part configs (`scan_document`
    finds the code-bearing places of one config)."""
    return scan_folder(path, _check_file) + scan_preset_parts(path, scan_document)


def _check_file(relative: str, full: Path) -> list[Finding]:
    found = check_member(relative, lambda: full.open("rb"))
    if not preset_member(relative):
        return found
    if relative.endswith(".weights.h5"):
        with full.open("rb") as handle:
            kind = sniff(handle.read(16))
        if kind != "HDF5 file":
            message = f"{relative} is not an HDF5 file ({kind or 'unknown'})"
            return [Finding(ERROR, "", message, rule="unexpected-member", member=relative)]
    return [f for f in found if not (f.severity == WARNING and NOT_WRITTEN in f.message)]


def scan_preset_parts(path: str, scan_document) -> list[Finding]:
    """The code-bearing places of the part configs, each finding named by its file."""
    from modelcfg_cli.document import document_from_payload

    findings = []
    for part in preset_parts(path):
        if part.envelope is None:
            message = f"{part.file} {part.problem}"
            findings.append(Finding(ERROR, "", message, rule="unexpected-member", member=part.file))
            continue
        doc = document_from_payload(part.envelope, part.file)
        for hit in scan_document(doc):
            message = f"{part.file}: {hit.pointer or '/'}: {hit.message}"
            findings.append(replace(hit, message=message, member=part.file, layer=None))
    return findings
