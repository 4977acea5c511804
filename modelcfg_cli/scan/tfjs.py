"""`scan` of a TF.js layers model's folder or zip: the files TensorFlow.js does not write there.

TensorFlow.js writes `model.json` and the `.bin` shards its `weightsManifest` lists; Teachable Machine
adds `metadata.json` (and zips the three). Those are expected (shards are raw numbers that no loader
unpickles, so their bytes are not sniffed). Every other file is checked as a `.keras` folder's members
are (pickles and archives are errors, symlinks and paths leaving the folder too) and otherwise reported
as a file TensorFlow.js does not write.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from modelcfg_cli.document import METADATA_FILE, ModelDocument
from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.scan.archive import (
    HEAD_BYTES,
    check_member,
    is_archive,
    scan_folder,
    sniff,
)
from modelcfg_cli.scan.payloads import PICKLE_SUFFIXES, is_python_source
from modelcfg_cli.sources import tfjs_files
from modelcfg_cli.sources.tfjs import MODEL_JSON
from modelcfg_cli.sources.tfjs_manifest import parse_manifest

EXPECTED = "model.json, the shards its weightsManifest lists, metadata.json"


def scan_tfjs(doc: ModelDocument) -> list[Finding]:
    """Findings for the members of the zip, or the files of the folder, that `doc` was read from (none
    when it was read from its model.json alone)."""
    path = Path(doc.path or "")
    if doc.path and path.is_file() and zipfile.is_zipfile(path):
        return scan_tfjs_zip(path, doc.label)
    if doc.path and Path(doc.label).is_dir():
        expected = _expected(path, path.name, "")
        return scan_folder(
            str(path.parent),
            lambda name, full: [] if name in expected else _unexpected(name, lambda: full.open("rb")),
        )
    return []


def scan_tfjs_zip(path: Path, label: str) -> list[Finding]:
    """Findings for the members of a zipped TF.js model that TensorFlow.js does not write."""
    with zipfile.ZipFile(path) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        json_name = next(info.filename for info in infos if PurePosixPath(info.filename).name == MODEL_JSON)
        expected = _expected(path, json_name, json_name[: -len(MODEL_JSON)])
        findings = []
        for info in infos:
            if info.filename not in expected:
                findings.extend(_unexpected(info.filename, lambda info=info: archive.open(info)))
    return findings


def _expected(path: Path, json_name: str, prefix: str) -> set[str]:
    """The names TensorFlow.js writes: the model.json, `metadata.json` and the listed shards."""
    files = tfjs_files(path)
    groups = parse_manifest(str(path), files.payload.get("weightsManifest")) if files else ()
    shards = {prefix + name for group in groups for name in group.paths}
    return {json_name, prefix + METADATA_FILE, *shards}


def _unexpected(name: str, opener) -> list[Finding]:
    try:
        with opener() as handle:
            kind = sniff(handle.read(HEAD_BYTES))
    except Exception as exc:  # unreadable, encrypted or truncated alike
        return [_member(ERROR, name, f"cannot be read ({exc})")]
    leaves = name.startswith("/") or ".." in name.split("/") or "\\" in name
    if (
        leaves
        or (kind or "").startswith("pickle")
        or is_archive(kind)
        or name.lower().endswith(PICKLE_SUFFIXES)
        or is_python_source(name)
    ):
        return check_member(name, opener)
    what = f"a {kind}" if kind else "a file"
    return [_member(WARNING, name, f"is {what} TensorFlow.js does not write (expected {EXPECTED})")]


def _member(severity: str, name: str, message: str) -> Finding:
    return Finding(severity, "", f"{name} {message}", rule="unexpected-member", member=name)
