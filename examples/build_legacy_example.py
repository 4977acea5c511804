"""Write `legacy_keras2.h5`: a small model in the layout Keras 2.2.4 saved (no Keras or TensorFlow needed).

A Sequential classifier whose Conv2D carries `batch_input_shape`, with seeded random weights stored as
Keras 2 did: root attributes `model_config` / `keras_version`, `model_weights/<layer>/` with `weight_names`.

    python examples/build_legacy_example.py
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

OUT = Path(__file__).resolve().parent / "legacy_keras2.h5"
GLOROT = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"},
}


def dense(name: str, units: int, activation: str) -> dict:
    return {
        "class_name": "Dense",
        "config": {
            "name": name,
            "trainable": True,
            "units": units,
            "activation": activation,
            "use_bias": True,
            "kernel_initializer": GLOROT,
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None,
            "bias_regularizer": None,
            "activity_regularizer": None,
        },
    }


def model_config() -> dict:
    conv = {
        "name": "conv2d_1",
        "trainable": True,
        "batch_input_shape": [None, 8, 8, 1],
        "dtype": "float32",
        "filters": 4,
        "kernel_size": [3, 3],
        "strides": [1, 1],
        "padding": "valid",
        "data_format": "channels_last",
        "activation": "relu",
        "kernel_initializer": GLOROT,
    }
    layers = [
        {"class_name": "Conv2D", "config": conv},
        {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d_1", "pool_size": [2, 2]}},
        {"class_name": "Flatten", "config": {"name": "flatten_1", "data_format": "channels_last"}},
        dense("hidden", 10, "relu"),
        {"class_name": "Dropout", "config": {"name": "dropout_1", "rate": 0.5, "noise_shape": None}},
        dense("logits", 3, "softmax"),
    ]
    return {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": layers}}


def weights(rng) -> dict[str, list[tuple[str, np.ndarray]]]:
    def arrays(name: str, kernel: tuple, units: int) -> list[tuple[str, np.ndarray]]:
        return [
            (f"{name}/kernel:0", rng.normal(size=kernel).astype("float32")),
            (f"{name}/bias:0", rng.normal(size=(units,)).astype("float32")),
        ]

    return {
        "conv2d_1": arrays("conv2d_1", (3, 3, 1, 4), 4),
        "max_pooling2d_1": [],
        "flatten_1": [],
        "hidden": arrays("hidden", (36, 10), 10),
        "dropout_1": [],
        "logits": arrays("logits", (10, 3), 3),
    }


def main() -> None:
    with h5py.File(OUT, "w") as handle:
        handle.attrs["model_config"] = json.dumps(model_config()).encode()
        handle.attrs["keras_version"] = b"2.2.4"
        handle.attrs["backend"] = b"tensorflow"
        group = handle.create_group("model_weights")
        stored = weights(np.random.default_rng(1337))
        group.attrs["layer_names"] = np.array([name.encode() for name in stored])
        for layer, arrays in stored.items():
            layer_group = group.create_group(layer)
            layer_group.attrs["weight_names"] = np.array([name.encode() for name, _ in arrays])
            for name, array in arrays:
                layer_group.create_dataset(name, data=array)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
