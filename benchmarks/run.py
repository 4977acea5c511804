"""`make bench`: every command against its Keras (or deepdiff) baseline in one run, then scaling."""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import HEADER  # noqa: E402

# rows of one table under HEADER
COMMAND_SUITES = (
    "bench_dump",
    "bench_validate",
    "bench_scan",
    "bench_clone",
    "bench_weights",
    "bench_compare",
)
OWN_TABLE_SUITES = ("bench_diff", "bench_scale", "bench_memory")


def main() -> None:
    print(
        f"modelcfg benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores; best of several runs, each in a fresh process\n"
    )
    print(HEADER)
    for name in COMMAND_SUITES:
        print("\n".join(importlib.import_module(name).main()), flush=True)
    for name in OWN_TABLE_SUITES:
        print()
        print("\n".join(importlib.import_module(name).main()), flush=True)


if __name__ == "__main__":
    main()
