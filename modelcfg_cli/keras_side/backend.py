"""Which Keras backend `clone` builds with, and importing Keras (plus the user's modules) under it."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from modelcfg_cli.errors import CloneError, UsageError
from modelcfg_cli.keras_side.quiet import quiet

BACKENDS = ("numpy", "jax", "torch", "tensorflow")
# what each Keras backend imports beyond Keras's own requirements (its numpy backend uses jax and scipy)
NEEDS = {
    "numpy": ("jax", "scipy"),
    "jax": ("jax", "scipy"),
    "torch": ("torch",),
    "tensorflow": ("tensorflow",),
}
INSTALL_HINT = 'pip install "modelcfg[backend]"'


def available(name: str) -> bool:
    """True when the packages backend `name` needs can be imported."""
    return all(importlib.util.find_spec(module) is not None for module in NEEDS[name])


def choose_backend(requested: str | None = None, command: str = "clone") -> str:
    """`requested`, else `KERAS_BACKEND`, else the fastest available for building (numpy, jax, ...).

    When Keras is already imported in this process its backend cannot change: asking for another one
    is an error, and without a request the active one is used. `command` names the command in errors.
    """
    wanted = requested or os.environ.get("KERAS_BACKEND") or None
    option = "--backend" if requested else "KERAS_BACKEND"
    if wanted is not None and wanted not in BACKENDS:
        raise UsageError(option, f"unknown backend {wanted!r} (expected one of: {', '.join(BACKENDS)})")
    active = _active_backend()
    if active is not None:
        if requested and requested != active:
            raise UsageError(
                "--backend",
                f"keras was already imported with the {active!r} backend in this process; "
                f"cannot switch to {requested!r} (run in a fresh process)",
            )
        return active
    if wanted is None:
        wanted = next((name for name in BACKENDS if available(name)), None)
        if wanted is None:
            raise CloneError(
                command, f"no Keras backend is installed (numpy needs jax and scipy): {INSTALL_HINT}"
            )
    elif not available(wanted):
        missing = " and ".join(m for m in NEEDS[wanted] if importlib.util.find_spec(m) is None)
        hint = INSTALL_HINT if wanted in ("numpy", "jax") else f"pip install {missing}"
        raise UsageError(option, f"backend {wanted!r} needs {missing}, not installed: {hint}")
    return wanted


def _active_backend() -> str | None:
    if "keras" not in sys.modules:
        return None
    return sys.modules["keras"].backend.backend()


def import_keras(backend: str, modules: tuple[str, ...] = ()):
    """Import Keras with `backend`, then each of `modules` (they register custom classes); returns keras."""
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        with quiet():
            keras = importlib.import_module("keras")
    except ImportError as exc:
        raise CloneError(
            "keras", f"cannot import keras with the {backend!r} backend: {exc}; install it: {INSTALL_HINT}"
        ) from None
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise UsageError("--import", f"cannot import {name!r}: {exc}") from None
    return keras
