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


@contextmanager
def stage_status(color: str, stream=None) -> Iterator[Callable[[str], None]]:
    """Yield a function that shows the current stage of long work (`building the model...`) as a status
    line on stderr, only when stderr is a terminal; the line is gone when the work ends."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda name: None
        return
    from rich.console import Console

    from modelcfg_cli.output import use_color

    plain = not use_color(color, stream)
    console = Console(file=stream, force_terminal=True, no_color=plain, highlight=False)
    with console.status("starting...") as status:
        yield lambda name: status.update(f"{name}...")
