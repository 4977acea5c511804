"""The sha256 of what `scan` read, so a finding is tied to one exact file: the file's bytes; for a model
folder, a digest of its files' relative paths and digests (symlinks by their target), in sorted order."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_path(path: str) -> str | None:
    """The digest of a file or folder; None when it cannot be read."""
    target = Path(path)
    try:
        if target.is_dir():
            return _folder_digest(target)
        with target.open("rb") as handle:
            return _file_sha256(handle)
    except OSError:
        return None


def _folder_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                entry = f"link:{os.readlink(full)}"
            else:
                with full.open("rb") as handle:
                    entry = _file_sha256(handle)
            digest.update(f"{relative}\0{entry}\n".encode())
    return digest.hexdigest()


def _file_sha256(handle) -> str:
    """The SHA-256 of an open binary file, read in 1 MiB pieces (`hashlib.file_digest` is Python 3.11+)."""
    digest = hashlib.sha256()
    for piece in iter(lambda: handle.read(1 << 20), b""):
        digest.update(piece)
    return digest.hexdigest()
