"""The worker pool of validate and scan: results in input order, and no `fork` once JAX is loaded."""

from __future__ import annotations

import sys
import warnings

import pytest

from modelcfg_cli.workers import PARALLEL_FROM, map_in_order, pool_context


def test_forkserver_or_spawn_once_jax_is_loaded(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", sys.modules.get("jax") or object())
    assert pool_context().get_start_method() in ("forkserver", "spawn")


def test_default_start_method_without_threaded_libraries(monkeypatch):
    for name in ("jax", "keras", "tensorflow", "torch"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert pool_context() is None


@pytest.mark.filterwarnings("error")
def test_workers_after_importing_jax_do_not_fork():
    import jax  # JAX warns on os.fork() once its backend runs: it is multithreaded

    jax.numpy.zeros(1).block_until_ready()

    done = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        items = list(range(PARALLEL_FROM + 2))
        assert list(map_in_order(abs, [-i for i in items], jobs=2, done=lambda: done.append(1))) == items
    assert len(done) == len(items)
