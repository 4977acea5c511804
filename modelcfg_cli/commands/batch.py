"""One check over many sources: in worker processes when there are many, with a progress bar on a terminal.

`validate` and `scan` share it; the check is a picklable function `check(source, *options)`.
"""

from __future__ import annotations

import sys

from modelcfg_cli.output import make_console

PARALLEL_FROM = 8


def run_each(check, sources: list[str], options: tuple, *, jobs: int, color: str, label: str) -> list:
    """`check(source, *options)` for every source, in order; a progress bar labelled `label` on stderr
    when it is a terminal and there is more than one source."""
    if len(sources) < 2 or not sys.stderr.isatty():
        return _check_many(check, sources, options, jobs, lambda: None)
    from rich.progress import Progress

    with Progress(console=make_console(color, stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=len(sources))
        return _check_many(check, sources, options, jobs, lambda: bar.advance(task))


def _check_many(check, sources: list[str], options: tuple, jobs: int, progress) -> list:
    if jobs <= 1 or len(sources) < PARALLEL_FROM or "-" in sources:
        results = []
        for source in sources:
            results.append(check(source, *options))
            progress()
        return results
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(sources))) as pool:
        futures = [pool.submit(check, source, *options) for source in sources]
        results = []
        for future in futures:
            results.append(future.result())
            progress()
        return results
