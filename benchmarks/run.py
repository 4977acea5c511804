"""`make bench`: every command against its Keras (or deepdiff) baseline in one run, then scaling."""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

SUITES = ("bench_dump", "bench_validate", "bench_clone", "bench_diff", "bench_scale")


def main() -> None:
    print(
        f"# modelcfg benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{platform.machine()}\n"
    )
    for name in SUITES:
        start = time.perf_counter()
        lines = importlib.import_module(name).main()
        if lines:
            print("\n".join(lines))
        print(f"\n({name}: {time.perf_counter() - start:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main()
