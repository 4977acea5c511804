"""`RawModel`: what a reader returns, before it becomes a `ModelDocument`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawModel:
    """What a source holds: the parsed config object and what is known about who saved it."""

    label: str
    format: str
    payload: Any  # the parsed config: JSON values
    metadata: dict = field(default_factory=dict)
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)  # the bytes of a source read from stdin


def path_of(file) -> str | None:
    """The file-system path of `file`, or None for an in-memory stream."""
    return os.fspath(file) if isinstance(file, str | os.PathLike) else None
