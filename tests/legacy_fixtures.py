"""Small hand-written legacy models in the shapes Keras 1, Keras 2 and tf.keras saved them (no Keras)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from tests.legacy import write_h5


def _normal(rng, shape: tuple) -> np.ndarray:
    return rng.normal(size=shape).astype("float32")


def _layer(class_name: str, config: dict, inbound: list | None = None, **extra) -> dict:
    entry = {"class_name": class_name, "config": config, **extra}
    if inbound is not None:
        entry["name"] = config["name"]
        entry["inbound_nodes"] = [[[name, 0, index, {}] for name, index in inbound]] if inbound else []
    return entry


def keras1_convnet() -> dict:
    """Keras 1.2 Sequential: Convolution2D with nb_filter/nb_row/nb_col/border_mode/subsample/dim_ordering,
    W_regularizer as a bare dict, Dropout `p`, Dense `output_dim`, `batch_input_shape` on the first layer."""
    conv = {
        "name": "convolution2d_1",
        "nb_filter": 2,
        "nb_row": 3,
        "nb_col": 3,
        "border_mode": "same",
        "subsample": [1, 1],
        "dim_ordering": "tf",
        "init": "glorot_uniform",
        "activation": "relu",
        "W_regularizer": {"l1": 0.0, "l2": 0.01, "name": "WeightRegularizer"},
        "b_regularizer": None,
        "bias": True,
        "trainable": True,
        "batch_input_shape": [None, 6, 6, 1],
        "input_dtype": "float32",
    }
    return {
        "class_name": "Sequential",
        "config": [
            _layer("Convolution2D", conv),
            _layer("Dropout", {"name": "dropout_1", "p": 0.25, "trainable": True}),
            _layer("Flatten", {"name": "flatten_1", "trainable": True}),
            _layer(
                "Dense",
                {
                    "name": "dense_1",
                    "output_dim": 3,
                    "init": "uniform",
                    "activation": "softmax",
                    "bias": True,
                },
            ),
        ],
        "keras_version": "1.2.2",
        "backend": "tensorflow",
    }


def keras1_convnet_weights(rng) -> dict:
    """Keras 1 weight names (`<layer>_W:0`, `<layer>_b:0`) for `keras1_convnet`."""
    return {
        "convolution2d_1": [
            ("convolution2d_1_W:0", _normal(rng, (3, 3, 1, 2))),
            ("convolution2d_1_b:0", _normal(rng, (2,))),
        ],
        "dropout_1": [],
        "flatten_1": [],
        "dense_1": [("dense_1_W:0", _normal(rng, (72, 3))), ("dense_1_b:0", _normal(rng, (3,)))],
    }


def _keras1_lstm(name: str, units: int, **extra) -> dict:
    return {
        "name": name,
        "output_dim": units,
        "init": "glorot_uniform",
        "inner_init": "orthogonal",
        "forget_bias_init": "one",
        "activation": "tanh",
        "inner_activation": "hard_sigmoid",
        "W_regularizer": None,
        "U_regularizer": None,
        "b_regularizer": None,
        "dropout_W": 0.0,
        "dropout_U": 0.0,
        "consume_less": "cpu",
        "return_sequences": False,
        "go_backwards": False,
        "stateful": False,
        "unroll": False,
        "trainable": True,
        **extra,
    }


def keras1_bilstm() -> dict:
    """Keras 1.2 Sequential: Bidirectional(LSTM) then Dense, per-gate LSTM weights."""
    inner = _keras1_lstm("lstm_1", 4, input_dim=3, input_length=5)
    return {
        "class_name": "Sequential",
        "config": [
            _layer(
                "Bidirectional",
                {
                    "name": "bidirectional_1",
                    "layer": {"class_name": "LSTM", "config": inner},
                    "merge_mode": "concat",
                    "trainable": True,
                    "batch_input_shape": [None, 5, 3],
                    "input_dtype": "float32",
                },
            ),
            _layer("Dense", {"name": "dense_1", "output_dim": 2, "init": "glorot_uniform", "bias": True}),
        ],
        "keras_version": "1.2.2",
        "backend": "tensorflow",
    }


KERAS1_GATE_ORDER = ("i", "c", "f", "o")


def keras1_lstm_gates(rng, prefix: str, input_dim: int, units: int) -> list[tuple[str, np.ndarray]]:
    """Per-gate arrays in the order Keras 1 wrote them: W_i, U_i, b_i, W_c, U_c, b_c, W_f, ..."""
    arrays = []
    for gate in KERAS1_GATE_ORDER:
        arrays.append((f"{prefix}_W_{gate}:0", _normal(rng, (input_dim, units))))
        arrays.append((f"{prefix}_U_{gate}:0", _normal(rng, (units, units))))
        arrays.append((f"{prefix}_b_{gate}:0", _normal(rng, (units,))))
    return arrays


def keras1_merge_model() -> dict:
    """Keras 1 functional `Model` with a `Merge` layer (mode concat) and list-style nodes without kwargs."""
    inputs = [
        _layer("InputLayer", {"name": n, "batch_input_shape": [None, 4], "input_dtype": "float32"}, [])
        for n in ("input1", "input2")
    ]
    merge = _layer(
        "Merge",
        {"name": "merge_1", "mode": "concat", "concat_axis": -1, "mode_type": "raw", "dot_axes": -1},
        [("input1", 0), ("input2", 0)],
    )
    dense = _layer("Dense", {"name": "dense_1", "output_dim": 3, "init": "glorot_uniform"}, [("merge_1", 0)])
    for entry in (*inputs, merge, dense):
        entry["inbound_nodes"] = [[t[:3] for t in node] for node in entry["inbound_nodes"]]
    return {
        "class_name": "Model",
        "config": {
            "name": "model_1",
            "layers": [*inputs, merge, dense],
            "input_layers": [["input1", 0, 0], ["input2", 0, 0]],
            "output_layers": [["dense_1", 0, 0]],
        },
        "keras_version": "1.1.2",
    }


def tf_keras_functional() -> dict:
    """tf.keras 2.x `Functional`: Policy dtypes, `time_major`, DepthwiseConv2D `groups`, initializer dtypes,
    a Bidirectional whose layer runs backwards, and an RNN fed its initial state as extra inputs."""
    policy = {"class_name": "Policy", "config": {"name": "mixed_float16"}}
    glorot = {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}
    lstm = {
        "name": "lstm",
        "dtype": policy,
        "units": 4,
        "return_sequences": True,
        "return_state": True,
        "time_major": False,
        "kernel_initializer": glorot,
        "implementation": 2,
    }
    layers = [
        _layer("InputLayer", {"name": "seq", "batch_input_shape": [None, 5, 3], "dtype": "float32"}, []),
        _layer("InputLayer", {"name": "img", "batch_input_shape": [None, 6, 6, 2], "dtype": "float32"}, []),
        _layer("LSTM", lstm, [("seq", 0)]),
        _layer(
            "LSTM",
            {"name": "decoder", "units": 4, "time_major": False, "dtype": policy},
            [("seq", 0), ("lstm", 1), ("lstm", 2)],
        ),
        _layer(
            "Bidirectional",
            {
                "name": "bidirectional",
                "dtype": "float32",
                "merge_mode": "concat",
                "layer": {"class_name": "GRU", "config": {"name": "gru", "units": 2, "go_backwards": True}},
            },
            [("lstm", 0)],
        ),
        _layer(
            "DepthwiseConv2D",
            {"name": "depthwise", "kernel_size": [3, 3], "groups": 1, "depthwise_initializer": glorot},
            [("img", 0)],
        ),
    ]
    return {
        "class_name": "Functional",
        "config": {
            "name": "tf_keras_model",
            "layers": layers,
            "input_layers": [["seq", 0, 0], ["img", 0, 0]],
            "output_layers": [["decoder", 0, 0], ["bidirectional", 0, 0], ["depthwise", 0, 0]],
        },
        "keras_version": "2.11.0",
        "backend": "tensorflow",
    }


def with_custom_and_lambda() -> dict:
    """Keras 2 Sequential with a custom class and a Lambda (marshalled bytecode)."""
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential_1",
            "layers": [
                _layer(
                    "Lambda",
                    {
                        "name": "lambda_1",
                        "function": ["4wEAAAAAAAAAAQAAAAIAAABTAAAAcwgAAAB8AGQBGwBTACkCTg==\n", None, None],
                        "function_type": "lambda",
                        "output_shape": None,
                        "output_shape_type": "raw",
                        "arguments": {},
                        "batch_input_shape": [None, 4],
                    },
                ),
                _layer("ClusteringLayer", {"name": "clustering", "n_clusters": 3}),
            ],
        },
        "keras_version": "2.0.6",
    }


def write_tf213_keras(path: Path) -> None:
    """A `.keras` zip as tf.keras 2.13 wrote it: module `keras.src.engine.functional`, no weights."""
    config = {
        "module": "keras.src.engine.functional",
        "class_name": "Functional",
        "config": {
            "name": "model",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "x"},
                    "registered_name": None,
                    "name": "x",
                    "inbound_nodes": [],
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {"name": "dense", "units": 2, "dtype": "float32"},
                    "registered_name": None,
                    "name": "dense",
                    "inbound_nodes": [[["x", 0, 0, {}]]],
                },
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["dense", 0, 0]],
        },
        "registered_name": "Functional",
    }
    metadata = {"keras_version": "2.13.1", "date_saved": "2023-08-01@10:00:00"}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps(metadata))


def write_split_names_h5(path: Path, rng) -> dict[str, list[np.ndarray]]:
    """A Keras 2 .h5 whose big layer lists its weights in `weight_names0`, `weight_names1` attributes."""
    import h5py

    config = json.loads(json.dumps(keras1_convnet()))
    weights = keras1_convnet_weights(rng)
    write_h5(path, config, weights)
    with h5py.File(path, "a") as handle:
        group = handle["model_weights/dense_1"]
        names = list(group.attrs["weight_names"])
        del group.attrs["weight_names"]
        group.attrs["weight_names0"] = np.array(names[:1])
        group.attrs["weight_names1"] = np.array(names[1:])
    return {name: [array for _, array in arrays] for name, arrays in weights.items() if arrays}
