"""The stages of long Keras work (building, carrying weights, saving, checking), announced to whoever
listens: the `clone` command shows them on a terminal; the core itself prints nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("modelcfg_stage_listener", default=None)


def stage(name: str) -> None:
    """Announce that the stage `name` starts (nothing happens when no one listens)."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(name)


@contextmanager
def listening(callback: Callable[[str], None]) -> Iterator[None]:
    """Within the block, `callback(name)` is called as each stage starts."""
    token = _LISTENER.set(callback)
    try:
        yield
    finally:
        _LISTENER.reset(token)
