"""How many worker processes `scan` uses when `-j` is not given: a pool only when it pays.

Starting a pool costs about 0.25 s here (each worker imports modelcfg), and two cores at best halve the
work, so a pool pays once the serial work is estimated above `POOL_FROM_SECONDS`. Measured on 2 cores:
scanning costs about 1.5 ms per file plus reading and hashing at about 500 MB/s (75 small corpus files:
0.4 s with one process, 0.5 s with two; four 100 MB ResNet50 files: 1.3 s with one, 0.64 s with two).
"""

from __future__ import annotations

import os

POOL_FROM_SECONDS = 0.5
SECONDS_PER_FILE = 0.0015
BYTES_PER_SECOND = 500e6


def source_bytes(source: str) -> int:
    """The size of a file, or of the files of a folder; 0 for stdin or what cannot be read."""
    try:
        if os.path.isdir(source):
            return sum(
                os.path.getsize(os.path.join(folder, name))
                for folder, _, files in os.walk(source)
                for name in files
            )
        return os.path.getsize(source)
    except OSError:
        return 0


def estimated_seconds(sources: list[str]) -> float:
    """The serial scan time of `sources`, estimated from their count and sizes."""
    return len(sources) * SECONDS_PER_FILE + sum(source_bytes(s) for s in sources) / BYTES_PER_SECOND


def auto_jobs(sources: list[str], cores: int | None) -> int:
    """1 unless the serial work is estimated to outweigh starting a pool; then one worker per core."""
    if not cores or cores < 2 or "-" in sources:
        return 1
    return cores if estimated_seconds(sources) >= POOL_FROM_SECONDS else 1
