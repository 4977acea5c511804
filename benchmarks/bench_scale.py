"""How dump, validate and diff grow with the number of layers (synthetic Functional configs)."""

from __future__ import annotations

import copy
import json

from harness import CACHE, measure, modelcfg

SIZES = (100, 1_000, 10_000)
DENSE = {
    "module": "keras.layers",
    "class_name": "Dense",
    "config": {
        "name": None,
        "trainable": True,
        "dtype": {
            "module": "keras",
            "class_name": "DTypePolicy",
            "config": {"name": "float32"},
            "registered_name": None,
        },
        "units": 8,
        "activation": "relu",
        "use_bias": True,
        "kernel_initializer": {
            "module": "keras.initializers",
            "class_name": "GlorotUniform",
            "config": {"seed": None},
            "registered_name": None,
        },
        "bias_initializer": {
            "module": "keras.initializers",
            "class_name": "Zeros",
            "config": {},
            "registered_name": None,
        },
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
        "quantization_config": None,
    },
    "registered_name": None,
    "build_config": {"input_shape": [None, 8]},
}


def tensor(name: str) -> dict:
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 8], "dtype": "float32", "keras_history": [name, 0, 0]},
    }


def synthetic(n_layers: int) -> dict:
    """An input and a chain of Dense layers, every tenth an Add of the two before it."""
    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": {
                "batch_shape": [None, 8],
                "dtype": "float32",
                "sparse": False,
                "ragged": False,
                "name": "x",
                "optional": False,
            },
            "registered_name": None,
            "name": "x",
            "inbound_nodes": [],
        }
    ]
    previous = ["x", "x"]
    for index in range(1, n_layers):
        name = f"layer_{index}"
        if index % 10 == 0:
            entry = {
                "module": "keras.layers",
                "class_name": "Add",
                "config": {"name": name, "trainable": True, "dtype": DENSE["config"]["dtype"]},
                "registered_name": None,
            }
            args = [[tensor(previous[0]), tensor(previous[1])]]
        else:
            entry = copy.deepcopy(DENSE)
            entry["config"]["name"] = name
            args = [tensor(previous[1])]
        entry["name"] = name
        entry["inbound_nodes"] = [{"args": args, "kwargs": {}}]
        layers.append(entry)
        previous = [previous[1], name]
    config = {
        "name": f"synthetic_{n_layers}",
        "trainable": True,
        "layers": layers,
        "input_layers": [["x", 0, 0]],
        "output_layers": [[previous[1], 0, 0]],
    }
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": config,
        "registered_name": "Functional",
    }


def main() -> list[str]:
    CACHE.mkdir(exist_ok=True)
    lines = ["| layers | dump | validate | diff (one field changed) |", "|---|---|---|---|"]
    for size in SIZES:
        model = synthetic(size)
        a = CACHE / f"synthetic_{size}.json"
        a.write_text(json.dumps(model))
        model["config"]["layers"][1]["config"]["units"] = 9
        b = CACHE / f"synthetic_{size}_b.json"
        b.write_text(json.dumps(model))
        dump = measure(modelcfg("dump", str(a)))[0]
        validate = measure(modelcfg("validate", str(a)), ok_codes=(0, 1))[0]
        diff = measure(modelcfg("diff", str(a), str(b)), ok_codes=(1,))[0]
        lines.append(f"| {size:,} | {dump:.3f} s | {validate:.3f} s | {diff:.3f} s |")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
