"""Baseline for reading SavedModel folders: how long tf.keras 2.15 takes to load them (TF venv ONLY).

    /work/tfvenv/bin/python benchmarks/tf_baseline.py [SAVEDMODEL_DIR ...]

Each folder is loaded in a fresh interpreter (`import tensorflow`, then `tf.keras.models.load_model`),
`--repeat` times; the best times are printed as JSON. Without arguments it times the LSTM fixture.
Compare with `modelcfg dump SAVEDMODEL_DIR` (benchmarks/run.py); the project never imports TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "tf_fixtures" / "data" / "lstm_savedmodel" / "model"
)
PROBE = """
import os, time, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
start = time.perf_counter()
import tensorflow as tf
imported = time.perf_counter()
tf.keras.models.load_model({path!r})
loaded = time.perf_counter()
print(json.dumps({{"import_s": imported - start, "load_s": loaded - imported}}))
"""


def time_load(path: Path, repeat: int) -> dict:
    """Best import and load_model times over `repeat` fresh interpreters."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(path=str(path))], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {key: round(min(run[key] for run in runs), 3) for key in runs[0]}
    best["total_s"] = round(min(run["import_s"] + run["load_s"] for run in runs), 3)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[FIXTURE])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import tensorflow as tf

    timings = {str(folder): time_load(folder, args.repeat) for folder in args.folders}
    print(json.dumps({"tensorflow": tf.__version__, "load_model": timings}, indent=1))


if __name__ == "__main__":
    main()
