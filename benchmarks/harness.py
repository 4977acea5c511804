"""Shared pieces of the benchmarks: a cache of model files, timing and peak memory of a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"
ENV = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "numpy"), "TF_CPP_MIN_LOG_LEVEL": "3"}


def modelcfg(*args: str) -> list[str]:
    """The command line that runs modelcfg with this interpreter."""
    return [sys.executable, "-m", "modelcfg_cli", *args]


def python(code: str) -> list[str]:
    """The command line that runs `code` in a fresh interpreter."""
    return [sys.executable, "-c", code]


def measure(command: list[str], repeat: int = 3, ok_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Best wall time in seconds over `repeat` runs, and the peak RSS in MiB of the slowest-memory run."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(command)}\n{proc.stderr.read()}")
        proc.stderr.close()
        best = min(best, elapsed)
        peak = max(peak, usage.ru_maxrss / 1024)
    return best, peak


def keras_model(name: str, expression: str, fmt: str = "keras") -> Path:
    """A model file built once by `expression` (Keras code) and kept in the cache."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name}.{fmt}"
    if not path.exists():
        code = f"import keras\nm = {expression}\nm.save({str(path)!r})\n"
        subprocess.run(python(code), env=ENV, check=True, capture_output=True)
    return path


def resnet50() -> Path:
    return keras_model("resnet50", "keras.applications.ResNet50(weights=None)")


def row(label: str, ours: tuple[float, float], theirs: tuple[float, float], goal: str) -> str:
    """One line of the comparison table: times, ratio, peak memories."""
    ratio = ours[0] / theirs[0]
    return (
        f"| {label} | {ours[0]:.3f} s | {theirs[0]:.3f} s | {ratio:.3f} | {goal} "
        f"| {ours[1]:.0f} MiB | {theirs[1]:.0f} MiB |"
    )


HEADER = (
    "| command vs baseline | modelcfg | baseline | ratio | goal | modelcfg peak | baseline peak |\n"
    "|---|---|---|---|---|---|---|"
)


LOAD_MODEL = "import keras, sys; keras.saving.load_model(sys.argv[1])"


def versus(label: str, args: tuple[str, ...], path: Path, baseline: str, goal: str, repeat: int = 3) -> str:
    """A table row: `modelcfg ARGS PATH` against the Python `baseline` given PATH as argv[1]."""
    ours = measure(modelcfg(*args, str(path)), repeat=repeat)
    theirs = measure([*python(baseline), str(path)], repeat=2)
    return row(label, ours, theirs, goal)
