"""Real Keras models holding every kind of code-bearing place, at the top and two levels deep, for scan.

One Functional model: a chain of code-bearing layers at the top level, the same chain inside a Sequential
inside `TimeDistributed` (`td/inner/...`), a `Bidirectional` LSTM with a custom activation, and a compile
config with a custom schedule and an unregistered loss. Saved as `.keras` and legacy `.h5`. Layers that
need TensorFlow, PyTorch or Flax to build (TFSMLayer, TorchModuleWrapper, JaxLayer, FlaxLayer) are saved
as `Identity` placeholders and their entries then written in, shaped as their `get_config()` makes them
(the tests check those entries against the bundled schemas generated from Keras).
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402


@keras.saving.register_keras_serializable(package="acme")
class Scale(keras.layers.Layer):
    """A custom layer registered under the package `acme`."""

    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(keras.layers.Layer):
    """A custom layer that is not registered: its module is saved instead."""

    def call(self, inputs):
        return inputs


@keras.saving.register_keras_serializable(package="acme")
def scaled_tanh(x):
    return keras.ops.tanh(x) * 2.0


def double(x):
    return x * 2.0


def plain_loss(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred))


@keras.saving.register_keras_serializable(package="acme")
class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    def __call__(self, step):
        return 0.01

    def get_config(self):
        return {}


# kind -> (rule in .keras, rule in .h5); `None` where the kind leaves no trace in that format
KINDS = {
    "lambda": ("lambda", "lambda"),
    "named_lambda": ("lambda", "lambda"),
    "custom": ("custom-class", "custom-class"),
    "foreign": ("foreign-module", "custom-class"),
    "activation": ("custom-class", "custom-class"),
    "lambda_activation": ("foreign-function", "foreign-function"),
    "tfsm": ("external-graph", "external-graph"),
    "torch": ("external-graph", "external-graph"),
    "jax": ("external-graph", "external-graph"),
    "flax": ("external-graph", "external-graph"),
}
SPLICED = ("tfsm", "torch", "jax", "flax")


def chain(prefix: str) -> list:
    """One layer of every kind, in order; spliced kinds are Identity placeholders for now."""
    layers = [
        keras.layers.Lambda(lambda t: t * 2.0, name=f"{prefix}lambda"),
        keras.layers.Lambda(double, name=f"{prefix}named_lambda"),
        Scale(name=f"{prefix}custom"),
        Unregistered(name=f"{prefix}foreign"),
        keras.layers.Dense(4, activation=scaled_tanh, name=f"{prefix}activation"),
        keras.layers.Dense(4, activation=lambda t: t, name=f"{prefix}lambda_activation"),
    ]
    return layers + [keras.layers.Identity(name=f"{prefix}{kind}") for kind in SPLICED]


def build_code_model():
    x = keras.Input((3, 4), name="x")
    y = x
    for layer in chain(""):
        y = layer(y)
    inner = keras.Sequential([keras.Input((4,)), *chain("hidden_")], name="inner")
    y = keras.layers.TimeDistributed(inner, name="td")(y)
    y = keras.layers.Bidirectional(
        keras.layers.LSTM(2, activation=scaled_tanh, return_sequences=True, name="lstm"), name="bi"
    )(y)
    model = keras.Model(x, y, name="carrier")
    model.compile(optimizer=keras.optimizers.SGD(WarmUp()), loss=plain_loss, metrics=["mae"])
    return model


def external_entries() -> dict[str, dict]:
    """The config of each spliced layer, keyed by kind, as its class's get_config() writes it."""
    torch_bytes = _fake_torch_save()
    return {
        "tfsm": {
            "module": "keras.layers",
            "class_name": "TFSMLayer",
            "config": {
                "filepath": "/models/exported",
                "call_endpoint": "serve",
                "call_training_endpoint": None,
            },
        },
        "torch": {
            "module": "keras.layers",
            "class_name": "TorchModuleWrapper",
            "config": {"module": base64.b64encode(torch_bytes).decode("ascii"), "output_shape": None},
        },
        "jax": {
            "module": "keras.layers",
            "class_name": "JaxLayer",
            "config": {
                "call_fn": _function("my_jax_models", "apply"),
                "init_fn": _function("my_jax_models", "init"),
                "native_serialization_platforms": None,
            },
        },
        "flax": {
            "module": "keras.layers",
            "class_name": "FlaxLayer",
            "config": {
                "module": {
                    "module": "my_flax_models",
                    "class_name": "MLP",
                    "config": {"features": 4},
                    "registered_name": "MLP",
                },
                "method": "__call__",
            },
        },
    }


def _function(module: str, name: str) -> dict:
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def _fake_torch_save() -> bytes:
    """The layout of `torch.save`: a zip holding `archive/data.pkl` (a pickle of plain data here)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": [1.0]}, protocol=2))
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def splice(envelope: dict) -> dict:
    """Replace every placeholder of a spliced kind (at any depth) by its external layer's entry."""
    entries = external_entries()
    stack = [envelope]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            name = node.get("config", {}).get("name") if isinstance(node.get("config"), dict) else None
            kind = str(name).removeprefix("hidden_")
            if node.get("class_name") == "Identity" and kind in entries:
                replacement = entries[kind]
                node.update(module=replacement["module"], class_name=replacement["class_name"])
                node["config"] = {**node["config"], **replacement["config"]}
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return envelope


def save_code_models(folder: Path) -> dict[str, str]:
    """The carrier model as `.keras` and `.h5`, with the external layers written in."""
    model = build_code_model()
    paths = {"keras": folder / "carrier.keras", "h5": folder / "carrier.h5"}
    model.save(paths["keras"])
    model.save(paths["h5"])
    rewrite_zip_member(paths["keras"], "config.json", lambda text: json.dumps(splice(json.loads(text))))
    import h5py

    with h5py.File(paths["h5"], "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        handle.attrs["model_config"] = json.dumps(splice(config))
    return {key: str(path) for key, path in paths.items()}


def rewrite_zip_member(path: Path, member: str, change) -> None:
    """Rewrite one member of a zip (the others copied as they are)."""
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info, data)
