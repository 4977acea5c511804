"""Rebuild the example models in examples/ (python examples/build_examples.py, in the venv)."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402

HERE = Path(__file__).parent


def classifier(units: int = 10, name: str = "classifier") -> keras.Model:
    """A small image classifier with a stem, two conv blocks and a dense head."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(0.3, name="dropout")(x)
    outputs = keras.layers.Dense(units, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def classifier_v2() -> keras.Model:
    """The classifier after a review: conv1 renamed, a wider conv2, more dropout, an L2 head."""
    model = classifier(name="classifier_v2")
    config = model.get_config()
    for layer in config["layers"]:
        edits = {
            "conv2": {"filters": 64},
            "dropout": {"rate": 0.5},
            "predictions": {"kernel_regularizer": keras.regularizers.serialize(keras.regularizers.L2(1e-4))},
        }
        layer["config"].update(edits.get(layer["name"], {}))
    config = json.loads(json.dumps(config).replace('"conv1"', '"stem_conv"'))
    return keras.Model.from_config(config)


def tagger() -> keras.Model:
    """A text tagger: Embedding, LSTM, TimeDistributed(Dense)."""
    keras.utils.set_random_seed(0)
    tokens = keras.Input((20,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(100, 16, name="embed")(tokens)
    x = keras.layers.LSTM(16, return_sequences=True, name="lstm")(x)
    x = keras.layers.TimeDistributed(keras.layers.Dense(5, activation="softmax"), name="tags")(x)
    return keras.Model(tokens, x, name="tagger")


def main() -> None:
    classifier().save(HERE / "classifier.keras")
    classifier().save(HERE / "classifier.h5")
    tagger().save(HERE / "tagger.keras")
    variant = json.loads(classifier_v2().to_json())
    (HERE / "classifier_v2.json").write_text(json.dumps(variant, indent=2) + "\n")


if __name__ == "__main__":
    main()
