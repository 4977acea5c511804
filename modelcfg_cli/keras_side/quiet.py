"""Keep third-party log noise (absl, Keras, jax: Python warnings and logging) out of our stderr while
Keras imports, builds, saves and reloads; what matters is said once in our own words instead."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

NOISY_LOGGERS = ("absl", "keras", "jax", "jax._src.xla_bridge", "h5py", "tensorflow")
H5_NOTE = "note: .h5 is Keras's legacy format; .keras is recommended"


@contextmanager
def quiet() -> Iterator[None]:
    """Python warnings ignored and the noisy loggers at ERROR for the duration; restored afterwards."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
