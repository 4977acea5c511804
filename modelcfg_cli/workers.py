"""Run one function over many inputs, in worker processes when there are enough of them, in input order."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

PARALLEL_FROM = 8
THREADED = ("jax", "keras", "tensorflow", "torch")  # forking after these are imported can deadlock


def map_in_order(function: Callable, items: list, *, jobs: int, done: Callable[[], None]) -> Iterable:
    """`function(item)` for every item, in order; `done()` after each. From `PARALLEL_FROM` items on,
    `jobs` > 1 worker processes share the work (the function and items must pickle)."""
    if jobs <= 1 or len(items) < PARALLEL_FROM:
        for item in items:
            yield function(item)
            done()
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=pool_context()) as pool:
        for future in [pool.submit(function, item) for item in items]:
            yield future.result()
            done()


def pool_context():
    """The platform's default start method, but never `fork` once a multithreaded library (JAX,
    Keras's backends) is loaded in this process (as in a test run or a library caller)."""
    import multiprocessing

    if not any(name in sys.modules for name in THREADED):
        return None
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
