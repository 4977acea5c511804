"""The files of a `.keras` archive or model folder that Keras does not write, told by name and magic bytes.

Keras writes `config.json`, `metadata.json`, `model.weights.h5` (or `.npz`) and data under `assets/`.
Anything else is reported, pickles (by their protocol header or file name) and archives (a zip inside
the zip can hide anything) as errors. Members are listed with `zipfile` and only their first bytes are
read; nothing is extracted, unpickled or loaded.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.presets import is_preset, preset_member

KERAS_MEMBERS = frozenset({"config.json", "metadata.json", "model.weights.h5", "model.weights.npz"})
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".dill", ".pt", ".pth")
HEAD_BYTES = 264  # enough for the tar magic at offset 257
MAX_INNER_MEMBERS = 1000
MAGICS = (
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"Rar!", "rar archive"),
    (b"\x89HDF\r\n\x1a\n", "HDF5 file"),
    (b"\x93NUMPY", "numpy array"),
)
OBJECT_DTYPE = re.compile(rb"'descr':\s*(?:'[|<>=]?O'|\[.*'[|<>=]?O)")


def sniff(head: bytes) -> str | None:
    """What the first bytes of a file say it is: `pickle (protocol 4)`, `zip archive`, ... or None."""
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return f"pickle (protocol {head[1]})"
    for magic, kind in MAGICS:
        if head.startswith(magic):
            return kind
    if head[257:262] == b"ustar":
        return "tar archive"
    return None


def is_archive(kind: str | None) -> bool:
    return kind is not None and kind.endswith("archive")


def describe_base64(text: str) -> str:
    """`a zip archive of 1234 bytes` for base64 text, by the magic of its decoded bytes."""
    try:
        data = base64.b64decode(text)
    except (binascii.Error, ValueError):
        return f"{len(text)} characters that are not base64"
    return f"{_article(sniff(data[:HEAD_BYTES]) or 'data')} of {len(data)} bytes"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def scan_archive(file, label: str) -> list[Finding]:
    """Findings for the members of the `.keras` zip `file` (a path or a binary file object)."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            findings = _duplicates(infos)
            for info in infos:
                if not info.is_dir():
                    findings.extend(check_member(info.filename, lambda info=info: archive.open(info)))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return [Finding(ERROR, "", f"the archive cannot be listed ({exc})", rule="unexpected-member")]
    return findings


def _duplicates(infos: list[zipfile.ZipInfo]) -> list[Finding]:
    counts = Counter(info.filename for info in infos)
    return [
        _member(ERROR, name, f"is in the archive {count} times: readers may disagree on which one is used")
        for name, count in counts.items()
        if count > 1
    ]


def scan_folder(path: str) -> list[Finding]:
    """Findings for the files of a model folder saved with `zipped=False` (symlinks are not followed)."""
    root = Path(path)
    preset = is_preset(root)
    findings = []
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs) + sorted(files):
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                findings.append(_member(ERROR, relative, f"is a symlink to {os.readlink(full)!r}"))
            elif full.is_file():
                findings.extend(check_member(relative, lambda full=full: full.open("rb"), preset=preset))
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
    return findings


def check_member(name: str, opener, *, preset: bool = False) -> list[Finding]:
    """Findings for one member called `name`; `opener()` opens it for reading (only its head is read,
    and a zip member is listed). In a keras-hub `preset` folder, the files keras-hub writes are known."""
    if name.startswith("/") or ".." in name.split("/") or "\\" in name:
        return [_member(ERROR, name, "has a path that leaves the archive folder")]
    try:
        with opener() as handle:
            kind = sniff(handle.read(HEAD_BYTES))
    except Exception as exc:  # encrypted, truncated or unreadable members alike
        return [_member(ERROR, name, f"cannot be read ({exc})")]
    if (kind or "").startswith("pickle") or name.lower().endswith(PICKLE_SUFFIXES):
        shown = kind if (kind or "").startswith("pickle") else "pickle (by its name)"
        return [_member(ERROR, name, f"is a {shown}: unpickling it runs code", "pickle")]
    if name == "model.weights.h5" or (preset and name.endswith(".weights.h5") and preset_member(name)):
        return (
            []
            if kind == "HDF5 file"
            else [_member(ERROR, name, f"is not an HDF5 file ({kind or 'unknown'})")]
        )
    if name == "model.weights.npz":
        return (
            _npz_findings(name, opener) if kind == "zip archive" else [_member(ERROR, name, "is not an npz")]
        )
    if is_archive(kind):
        inside, pickles = _inner(kind, opener)
        rule = "pickle" if pickles else "unexpected-member"
        return [_member(ERROR, name, f"is {_article(kind)} inside the model{inside}", rule)]
    if name in KERAS_MEMBERS or name.startswith("assets/") or (preset and preset_member(name)):
        return []
    what = f"a {kind}" if kind else "a file"
    return [_member(WARNING, name, f"is {what} Keras does not write (expected {_expected()})")]


def _expected() -> str:
    return "config.json, metadata.json, model.weights.h5 or .npz, assets/"


def _member(severity: str, name: str, message: str, rule: str = "unexpected-member") -> Finding:
    return Finding(severity, "", f"{name} {message}", rule=rule, member=name)


def _inner(kind: str, opener) -> tuple[str, bool]:
    """` (3 files; pickles: data.pkl)` for a nested zip (its members' heads are read, nothing extracted),
    and whether it holds pickles."""
    if kind != "zip archive":
        return ": its contents are not checked", False
    try:
        with opener() as handle, zipfile.ZipFile(handle) as inner:
            infos = [info for info in inner.infolist() if not info.is_dir()]
            pickles = [info.filename for info in infos[:MAX_INNER_MEMBERS] if _is_pickle(inner, info)]
    except Exception:  # a damaged inner archive is reported as an archive all the same
        return ": it cannot be listed", False
    found = f"; pickles: {', '.join(pickles[:5])}" if pickles else ""
    return f" ({len(infos)} files{found})", bool(pickles)


def _is_pickle(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.filename.lower().endswith(PICKLE_SUFFIXES):
        return True
    with archive.open(info) as handle:
        return (sniff(handle.read(2)) or "").startswith("pickle")


def _npz_findings(name: str, opener) -> list[Finding]:
    """Arrays of Python objects in the npz weights: `numpy.load(allow_pickle=True)` unpickles them."""
    try:
        with opener() as handle, zipfile.ZipFile(handle) as npz:
            infos = npz.infolist()[:MAX_INNER_MEMBERS]
            objects = [info.filename for info in infos if _object_array(npz, info)]
    except Exception:
        return [_member(ERROR, name, "cannot be listed as an npz archive")]
    if not objects:
        return []
    message = f"holds arrays of Python objects, which are pickles: {', '.join(objects[:5])}"
    return [_member(ERROR, name, message, "pickle")]


def _object_array(npz: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with npz.open(info) as handle:
        head = handle.read(HEAD_BYTES)
    return head.startswith(b"\x93NUMPY") and OBJECT_DTYPE.search(head) is not None
