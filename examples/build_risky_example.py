"""Build examples/risky.keras (python examples/build_risky_example.py, in the venv): a model that
`validate` alone used to call valid, and what `modelcfg scan` finds in it.

A Lambda inside a Sequential inside TimeDistributed, a Dense whose activation names Python's
`builtins.eval` (written into the config, as an attacker would), and a pickle added to the archive.
"""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402

HERE = Path(__file__).parent
# the lambda as a user's preprocess.py would hold it (so the file records that name, not this script's path)
DOUBLE = eval(compile("lambda t: t * 2.0", "preprocess.py", "eval"))  # noqa: S307 - a constant expression
EVAL = {"module": "builtins", "class_name": "function", "config": "eval", "registered_name": None}


def risky() -> keras.Model:
    inner = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, name="hidden"),
            keras.layers.Lambda(DOUBLE, name="hidden_lambda"),
        ],
        name="inner",
    )
    frames = keras.Input((4, 8), name="frames")
    x = keras.layers.TimeDistributed(inner, name="td")(frames)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    outputs = keras.layers.Dense(3, name="scores")(x)
    return keras.Model(frames, outputs, name="risky")


def main() -> None:
    path = HERE / "risky.keras"
    risky().save(path)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    config = json.loads(members["config.json"])
    scores = next(layer for layer in config["config"]["layers"] if layer["name"] == "scores")
    scores["config"]["activation"] = EVAL
    members["config.json"] = json.dumps(config).encode("utf-8")
    members["assets/preprocess.pkl"] = pickle.dumps({"mean": 0.5}, protocol=4)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


if __name__ == "__main__":
    main()
