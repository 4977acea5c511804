"""`scan` of a TF.js layers model's folder: the files TensorFlow.js does not write there.

TensorFlow.js writes `model.json` and the `.bin` shards its `weightsManifest` lists; Teachable Machine
adds `metadata.json`. Those are expected (shards are raw numbers that no loader unpickles, so their bytes
are not sniffed). Every other file is checked as a `.keras` folder's members are (pickles and archives
are errors, symlinks too) and otherwise reported as a file TensorFlow.js does not write.
"""

from __future__ import annotations

import json
from pathlib import Path

from modelcfg_cli.document import METADATA_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.scan_archive import (
    HEAD_BYTES,
    PICKLE_SUFFIXES,
    check_member,
    is_archive,
    scan_folder,
    sniff,
)
from modelcfg_cli.sources.tfjs_manifest import parse_manifest

EXPECTED = "model.json, the shards its weightsManifest lists, metadata.json"


def scan_tfjs_folder(json_path: str) -> list[Finding]:
    """Findings for the files beside the TF.js `model.json` at `json_path` (symlinks are not followed)."""
    model_json = Path(json_path)
    expected = {model_json.name, METADATA_FILE, *_shards(model_json)}
    return scan_folder(
        str(model_json.parent),
        lambda relative, full: [] if relative in expected else _unexpected(relative, full),
    )


def _shards(model_json: Path) -> set[str]:
    """The shard paths (relative to the folder) the manifest lists."""
    try:
        manifest = json.loads(model_json.read_bytes()).get("weightsManifest")
    except (OSError, ValueError, AttributeError) as exc:
        raise SourceError(str(model_json), f"cannot read the weightsManifest ({exc})") from exc
    groups = parse_manifest(str(model_json), manifest, model_json.parent)
    return {path.relative_to(model_json.parent).as_posix() for group in groups for path in group.paths}


def _unexpected(relative: str, full: Path) -> list[Finding]:
    try:
        with full.open("rb") as handle:
            kind = sniff(handle.read(HEAD_BYTES))
    except OSError as exc:
        return [_member(ERROR, relative, f"cannot be read ({exc.strerror or exc})")]
    if (kind or "").startswith("pickle") or is_archive(kind) or relative.lower().endswith(PICKLE_SUFFIXES):
        return check_member(relative, lambda: full.open("rb"))
    what = f"a {kind}" if kind else "a file"
    return [_member(WARNING, relative, f"is {what} TensorFlow.js does not write (expected {EXPECTED})")]


def _member(severity: str, name: str, message: str) -> Finding:
    return Finding(severity, "", f"{name} {message}", rule="unexpected-member", member=name)
