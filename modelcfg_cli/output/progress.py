"""A progress bar on stderr, shown only when stderr is a terminal and there is more than one item."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from modelcfg_cli.output import make_console


@contextmanager
def progress(label: str, total: int, color: str) -> Iterator[Callable[[], None]]:
    """Yield a function that advances the bar by one item (a no-op off a terminal)."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=make_console(color, stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
