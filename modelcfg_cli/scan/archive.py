"""The files of a `.keras` archive or model folder that Keras does not write, told by name and magic bytes.

Keras writes `config.json`, `metadata.json`, `model.weights.h5` (or `.npz`) and data under `assets/`.
Anything else is reported; pickles (by their opcodes or file name, with what they import), numpy arrays
of Python objects anywhere, Python source, and archives (a zip inside the zip can hide anything) are
errors. Members are listed with `zipfile` and read only as far as telling them apart needs
(`scan/payloads.py`); nothing is extracted, unpickled or loaded.
"""

from __future__ import annotations

import os
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.scan.payloads import (
    dangerous_of,
    describe_inner,
    imports_of,
    is_python_source,
    looks_like_pickle,
    npy_data_offset,
    npy_finding,
    pickle_finding,
    python_source_finding,
    read_capped,
    zip_pickles,
)
from modelcfg_cli.scan.pickles import SNIFF_BYTES

KERAS_MEMBERS = frozenset({"config.json", "metadata.json", "model.weights.h5", "model.weights.npz"})
HEAD_BYTES = 264  # enough for the tar magic at offset 257
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


def scan_folder(path: str, check=None) -> list[Finding]:
    """Findings for the files of a model folder saved with `zipped=False` (symlinks are not followed);
    `check(relative name, path)` gives a file's findings (by default, those of a `.keras` member)."""
    check = check or (lambda relative, full: check_member(relative, lambda: full.open("rb")))
    root = Path(path)
    findings = []
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs) + sorted(files):
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                findings.append(_member(ERROR, relative, f"is a symlink to {os.readlink(full)!r}"))
            elif full.is_file():
                findings.extend(check(relative, full))
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
    return findings


def check_member(name: str, opener) -> list[Finding]:
    """Findings for one member called `name`; `opener()` opens it for reading (its head is read; a
    pickle, a numpy array or a nested zip is read further, nothing extracted or unpickled)."""
    if name.startswith("/") or ".." in name.split("/") or "\\" in name:
        return [_member(ERROR, name, "has a path that leaves the archive folder")]
    if is_python_source(name):
        return [python_source_finding(name)]
    try:
        with opener() as handle:
            head = handle.read(SNIFF_BYTES)
        kind = sniff(head)
        if kind == "numpy array" and npy_data_offset(head) is not None:  # plain arrays are not read
            found = npy_finding(name, read_capped(opener))
            if found is not None:
                return [found]
        elif looks_like_pickle(name, head):
            return [pickle_finding(name, read_capped(opener))]
    except Exception as exc:  # encrypted, truncated or unreadable members alike
        return [_member(ERROR, name, f"cannot be read ({exc})")]
    return _by_kind(name, kind, opener)


def _by_kind(name: str, kind: str | None, opener) -> list[Finding]:
    """Findings for a member that is not a pickle, by what its magic bytes say it is."""
    if name == "model.weights.h5":
        return (
            []
            if kind == "HDF5 file"
            else [_member(ERROR, name, f"is not an HDF5 file ({kind or 'unknown'})")]
        )
    if name == "model.weights.npz":
        return (
            _npz_findings(name, opener) if kind == "zip archive" else [_member(ERROR, name, "is not an npz")]
        )
    if kind is not None and is_archive(kind):
        inside, found = _inner(kind, opener)
        finding = _member(ERROR, name, f"is {_article(kind)} inside the model{inside}")
        if found:
            return [replace(finding, rule="pickle", imports=imports_of(found), dangerous=dangerous_of(found))]
        return [finding]
    if name in KERAS_MEMBERS or name.startswith("assets/"):
        return []
    what = f"a {kind}" if kind else "a file"
    return [_member(WARNING, name, f"is {what} Keras does not write (expected {_expected()})")]


def _expected() -> str:
    return "config.json, metadata.json, model.weights.h5 or .npz, assets/"


def _member(severity: str, name: str, message: str, rule: str = "unexpected-member") -> Finding:
    return Finding(severity, "", f"{name} {message}", rule=rule, member=name)


def _inner(kind: str, opener) -> tuple[str, list]:
    """` (3 files; pickles: data.pkl (imports ...))` for a nested zip (its pickles and object arrays
    are read, nothing extracted), and those pickles."""
    if kind != "zip archive":
        return ": its contents are not checked", []
    try:
        with opener() as handle, zipfile.ZipFile(handle) as inner:
            count = sum(not info.is_dir() for info in inner.infolist())
        with opener() as handle:
            found = zip_pickles(handle)
    except Exception:  # a damaged inner archive is reported as an archive all the same
        return ": it cannot be listed", []
    listed = f"; pickles: {describe_inner(found)}" if found else ""
    return f" ({count} files{listed})", found


def _npz_findings(name: str, opener) -> list[Finding]:
    """Arrays of Python objects in the npz weights: `numpy.load(allow_pickle=True)` unpickles them."""
    try:
        with opener() as handle:
            found = zip_pickles(handle)
    except Exception:
        return [_member(ERROR, name, "cannot be listed as an npz archive")]
    if not found:
        return []
    message = f"holds arrays of Python objects, which are pickles: {describe_inner(found)}"
    finding = _member(ERROR, name, message, "pickle")
    return [replace(finding, imports=imports_of(found), dangerous=dangerous_of(found))]
