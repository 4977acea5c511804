"""Hand-written legacy configs in the shapes Keras 1 and 2 wrote them (no Keras needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def keras2_functional() -> dict:
    """A Keras 2.3 `Model.to_json()`: no `module` keys, list-style inbound nodes."""
    return {
        "class_name": "Model",
        "config": {
            "name": "model_1",
            "layers": [
                {
                    "name": "input_1",
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 5],
                        "dtype": "float32",
                        "sparse": False,
                        "name": "input_1",
                    },
                    "inbound_nodes": [],
                },
                {
                    "name": "dense_1",
                    "class_name": "Dense",
                    "config": {
                        "name": "dense_1",
                        "trainable": True,
                        "dtype": "float32",
                        "units": 3,
                        "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {
                            "class_name": "VarianceScaling",
                            "config": {
                                "scale": 1.0,
                                "mode": "fan_avg",
                                "distribution": "uniform",
                                "seed": None,
                            },
                        },
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "activity_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                    },
                    "inbound_nodes": [[["input_1", 0, 0, {}]]],
                },
                {
                    "name": "dense_2",
                    "class_name": "Dense",
                    "config": {
                        "name": "dense_2",
                        "trainable": True,
                        "dtype": "float32",
                        "units": 2,
                        "activation": "softmax",
                        "use_bias": True,
                        "kernel_initializer": {
                            "class_name": "VarianceScaling",
                            "config": {
                                "scale": 1.0,
                                "mode": "fan_avg",
                                "distribution": "uniform",
                                "seed": None,
                            },
                        },
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "activity_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                    },
                    "inbound_nodes": [[["dense_1", 0, 0, {}]]],
                },
            ],
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["dense_2", 0, 0]],
        },
        "keras_version": "2.3.1",
        "backend": "tensorflow",
    }


def keras1_sequential() -> dict:
    """A Keras 1.2 `Sequential.to_json()`: config is a bare list of layers, Keras 1 names."""
    return {
        "class_name": "Sequential",
        "config": [
            {
                "class_name": "Dense",
                "config": {
                    "name": "dense_1",
                    "output_dim": 4,
                    "input_dim": 6,
                    "batch_input_shape": [None, 6],
                    "init": "glorot_uniform",
                    "activation": "relu",
                    "W_regularizer": None,
                    "b_regularizer": None,
                    "bias": True,
                    "trainable": True,
                    "input_dtype": "float32",
                },
            },
            {"class_name": "Dropout", "config": {"name": "dropout_1", "p": 0.5, "trainable": True}},
            {
                "class_name": "Dense",
                "config": {
                    "name": "dense_2",
                    "output_dim": 2,
                    "input_dim": 4,
                    "init": "glorot_uniform",
                    "activation": "softmax",
                    "W_regularizer": None,
                    "b_regularizer": None,
                    "bias": True,
                    "trainable": True,
                },
            },
        ],
        "keras_version": "1.2.2",
        "backend": "tensorflow",
    }


def write_h5(path: Path, config: dict, weights: dict[str, list[tuple[str, np.ndarray]]]) -> None:
    """A Keras 2 full-model .h5: root attributes plus `model_weights/<layer>/<weight>` datasets."""
    import h5py

    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps(config).encode("utf-8")
        handle.attrs["keras_version"] = config.get("keras_version", "2.3.1").encode("utf-8")
        handle.attrs["backend"] = b"tensorflow"
        group = handle.create_group("model_weights")
        group.attrs["layer_names"] = np.array([n.encode() for n in weights])
        for layer, arrays in weights.items():
            layer_group = group.create_group(layer)
            layer_group.attrs["weight_names"] = np.array([n.encode() for n, _ in arrays])
            for weight_name, array in arrays:
                layer_group.create_dataset(weight_name, data=array)


def write_legacy_files(folder: Path) -> dict:
    """Every legacy fixture on disk: name -> path."""
    rng = np.random.default_rng(0)
    functional = keras2_functional()
    paths = {
        "keras2_json": folder / "keras2_model.json",
        "keras2_double": folder / "keras2_double.json",
        "keras2_yaml": folder / "keras2_model.yaml",
        "keras1_json": folder / "keras1_seq.json",
        "keras2_h5": folder / "keras2_model.h5",
        "weights_only": folder / "weights_only.h5",
    }
    import yaml

    paths["keras2_json"].write_text(json.dumps(functional))
    paths["keras2_double"].write_text(json.dumps(json.dumps(functional)))
    paths["keras2_yaml"].write_text(yaml.safe_dump(functional))
    paths["keras1_json"].write_text(json.dumps(keras1_sequential()))
    write_h5(
        paths["keras2_h5"],
        functional,
        {
            "input_1": [],
            "dense_1": [("dense_1/kernel:0", rng.normal(size=(5, 3))), ("dense_1/bias:0", np.zeros(3))],
            "dense_2": [("dense_2/kernel:0", rng.normal(size=(3, 2))), ("dense_2/bias:0", np.zeros(2))],
        },
    )
    import h5py

    with h5py.File(paths["weights_only"], "w") as handle:
        handle.attrs["layer_names"] = np.array([b"dense_1"])
        handle.create_group("dense_1")
    return {key: str(value) for key, value in paths.items()}
