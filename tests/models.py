"""Real Keras models for the tests, built once per session and saved in every format."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")


def build_sequential():
    import keras

    return keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(8, activation="relu", name="dense_1"),
            keras.layers.Dropout(0.2, seed=7, name="dropout_1"),
            keras.layers.Dense(4, activation="softmax", name="dense_2"),
        ],
        name="seq",
    )


def build_branches():
    """Two inputs, a shared Dense used on both, branches merged by Concatenate."""
    import keras

    left = keras.Input((8,), name="left")
    right = keras.Input((8,), name="right")
    shared = keras.layers.Dense(6, activation="relu", name="shared")
    a = shared(left)
    b = shared(right)
    c = keras.layers.Dense(6, name="side")(left)
    merged = keras.layers.Concatenate(name="concat")([a, b, c])
    out = keras.layers.Dense(2, name="head")(merged)
    return keras.Model([left, right], out, name="branches")


def build_nested():
    """A Functional model holding a Sequential and a Functional sub-model."""
    import keras

    encoder = keras.Sequential([keras.Input((12,)), keras.layers.Dense(6, name="enc_dense")], name="encoder")
    inner_in = keras.Input((6,), name="inner_in")
    inner_out = keras.layers.Dense(3, activation="tanh", name="inner_dense")(inner_in)
    inner = keras.Model(inner_in, inner_out, name="inner_block")
    x = keras.Input((12,), name="features")
    y = inner(encoder(x))
    y = keras.layers.Dense(1, name="score")(y)
    return keras.Model(x, y, name="nested")


def build_rnn():
    """Embedding -> Bidirectional(LSTM) -> TimeDistributed(Dense), a text tagger."""
    import keras

    tokens = keras.Input((10,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(50, 8, name="embed")(tokens)
    x = keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True, seed=3), name="bilstm")(x)
    x = keras.layers.LSTM(5, return_sequences=True, name="lstm_2")(x)
    x = keras.layers.TimeDistributed(keras.layers.Dense(4), name="tags")(x)
    return keras.Model(tokens, x, name="tagger")


def build_lambda():
    import keras

    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Lambda(lambda t: t * 2.0, name="double"),
            keras.layers.Dense(2, name="out"),
        ],
        name="with_lambda",
    )


def build_mobilenet():
    import keras

    return keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None, classes=10)


BUILDERS = {
    "sequential": build_sequential,
    "branches": build_branches,
    "nested": build_nested,
    "rnn": build_rnn,
    "lambda": build_lambda,
    "mobilenet": build_mobilenet,
}


def save_all(name: str, model, folder: Path) -> dict:
    """Save `model` as .keras, .h5, folder, to_json(), YAML and bare get_config() JSON."""
    import yaml

    paths = {
        "keras": folder / f"{name}.keras",
        "h5": folder / f"{name}.h5",
        "dir": folder / f"{name}_dir",
        "json": folder / f"{name}.json",
        "yaml": folder / f"{name}.yaml",
        "config": folder / f"{name}.config.json",
    }
    model.save(paths["keras"])
    model.save(paths["h5"])
    model.save(paths["dir"], zipped=False)
    full = json.loads(model.to_json())
    paths["json"].write_text(json.dumps(full))
    paths["yaml"].write_text(yaml.safe_dump(full))
    config = json.loads(json.dumps(model.get_config()))
    paths["config"].write_text(json.dumps(config))
    return {key: str(value) for key, value in paths.items()}


def save_model_pair(folder) -> tuple[str, str]:
    """A: in -> d1 -> bn -> d2 -> drop -> out. B: d1 renamed first, bn removed, d2 wider, a side Dense
    and an Add put before drop (rewired), so out's stored input shape changes."""
    import keras

    x = keras.Input((8,), name="features")
    y = keras.layers.Dense(8, name="d1")(x)
    y = keras.layers.BatchNormalization(name="bn")(y)
    y = keras.layers.Dense(8, name="d2")(y)
    y = keras.layers.Dropout(0.1, name="drop")(y)
    keras.Model(x, keras.layers.Dense(2, name="out")(y), name="pair").save(folder / "a.keras")
    x = keras.Input((8,), name="features")
    y = keras.layers.Dense(8, name="first")(x)
    y = keras.layers.Dense(16, name="d2")(y)
    side = keras.layers.Dense(16, name="side")(y)
    y = keras.layers.Add(name="merge")([y, side])
    y = keras.layers.Dropout(0.1, name="drop")(y)
    keras.Model(x, keras.layers.Dense(2, name="out")(y), name="pair").save(folder / "b.keras")
    return str(folder / "a.keras"), str(folder / "b.keras")
