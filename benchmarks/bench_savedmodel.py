"""`modelcfg dump` of a tf.keras SavedModel folder against `tf.keras.models.load_model` (TensorFlow import
included), each in a fresh process. The baseline runs in a separate TensorFlow venv:

    TF_PYTHON=/work/tfvenv/bin/python .venv/bin/python benchmarks/bench_savedmodel.py [SAVEDMODEL_DIR ...]

Without folders it times the LSTM fixture (tests/tf_fixtures/data/lstm_savedmodel/model).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness import HEADER, measure, modelcfg, row

FIXTURE = Path(__file__).resolve().parent.parent / "tests/tf_fixtures/data/lstm_savedmodel/model"
BASELINE = (
    "import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'; import tensorflow as tf; "
    "tf.keras.models.load_model(sys.argv[1])"
)


def main(folders: list[Path]) -> list[str]:
    tf_python = os.environ.get("TF_PYTHON")
    if not tf_python:
        sys.exit("set TF_PYTHON to the python of a venv with tensorflow-cpu (the project never imports it)")
    lines = []
    for folder in folders:
        ours = measure(modelcfg("dump", str(folder)), repeat=5)
        theirs = measure([tf_python, "-c", BASELINE, str(folder)], repeat=3)
        lines.append(
            row(f"dump SavedModel {folder.parent.name} vs tf.keras load_model", ours, theirs, "<= 0.05")
        )
    return lines


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main([Path(arg) for arg in sys.argv[1:]] or [FIXTURE])))
