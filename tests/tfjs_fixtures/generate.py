"""Make the TensorFlow.js fixtures in `tests/tfjs_fixtures/data/` (run ONLY in the tensorflowjs venv).

    /work/venvs/tfjs/bin/python tests/tfjs_fixtures/generate.py [NAME ...]   # all fixtures, or these

Small tf.keras 2.15 models converted to TF.js layers models by `tensorflowjs` 4.22 (the converter people
run): plain, `--quantize_uint8`, `--quantize_float16`, `--quantize_uint16` with weights split by layer,
a Teachable-Machine-shaped nested Sequential with a `metadata.json`, and a graph model (a `tf.function`
through `convert_tf_saved_model`). `teachable_js` (`make_teachable.js`) and `layers_js` (`make_layers.js`:
Embedding, LSTM, Bidirectional GRU, Conv1D, two inputs) are made by TensorFlow.js itself (tfjs-layers
1.3.1, the version Teachable Machine exports with) in node.

Each `data/<name>/` holds `model/` (the export) and `reference.npz`: seeded inputs `x0` (and `x1`) and
the original model's outputs `y0`. The test suite never imports TensorFlow; it only reads these files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflowjs.converters import convert_tf_saved_model  # noqa: E402
from tensorflowjs.converters.converter import (  # noqa: E402
    dispatch_keras_h5_to_tfjs_layers_model_conversion as convert_h5,
)

keras = tf.keras
layers = keras.layers
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
NODE_PACKAGES = Path(os.environ.get("TFJS_NODE", "/work/venvs/tfjs-node"))
LABELS = ["cat", "dog", "neither"]


def small_cnn(name: str = "small_cnn") -> keras.Model:
    """A small CNN with a BatchNormalization (non-trainable state) and a Dense head."""
    model = keras.Sequential(
        [
            layers.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Conv2D(6, 3),
            layers.Flatten(),
            layers.Dense(8, activation="relu"),
            layers.Dense(3, activation="softmax"),
        ],
        name=name,
    )
    return _trained(model, classes=3)


def teachable_shaped() -> keras.Model:
    """Teachable Machine's shape: a MobileNet-like feature Sequential (`sequential_1`: Conv1, depthwise
    and pointwise blocks, `conv_pw_13`, global pooling) inside an outer Sequential with a Dense head."""
    features = keras.Sequential(
        [
            layers.Input((16, 16, 3)),
            layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False, name="conv1"),
            layers.BatchNormalization(name="conv1_bn"),
            layers.ReLU(6.0, name="conv1_relu"),
            layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="conv_dw_13"),
            layers.BatchNormalization(name="conv_dw_13_bn"),
            layers.ReLU(6.0, name="conv_dw_13_relu"),
            layers.Conv2D(8, 1, use_bias=False, name="conv_pw_13"),
            layers.BatchNormalization(name="conv_pw_13_bn"),
            layers.ReLU(6.0, name="conv_pw_13_relu"),
            layers.GlobalAveragePooling2D(name="global_average_pooling2d_1"),
        ],
        name="sequential_1",
    )
    head = keras.Sequential(
        [
            layers.Input((8,)),
            layers.Dense(10, activation="relu", name="dense_Dense1"),
            layers.Dense(len(LABELS), activation="softmax", use_bias=False, name="dense_Dense2"),
        ],
        name="sequential_2",
    )
    model = keras.Sequential([layers.Input((16, 16, 3)), features, head], name="sequential_3")
    return _trained(model, classes=len(LABELS))


def _trained(model: keras.Model, *, classes: int) -> keras.Model:
    """One short fit, so weights (and BatchNormalization's moving statistics) are not initial."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, *model.input_shape[1:])).astype("float32")
    y = rng.integers(0, classes, size=(16,))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    return model


def convert(model: keras.Model, folder: Path, **options) -> None:
    """`tensorflowjs_converter --input_format keras model.h5 folder [options]`."""
    with tempfile.TemporaryDirectory() as temp:
        h5 = Path(temp) / "model.h5"
        model.save(h5, save_format="h5")
        convert_h5(str(h5), str(folder), **options)


def teachable_metadata(tfjs_version: str) -> dict:
    """A `metadata.json` as Teachable Machine's image project writes beside its model."""
    return {
        "tfjsVersion": tfjs_version,
        "tmVersion": "2.4.10",
        "packageVersion": "0.8.4",
        "packageName": "@teachablemachine/image",
        "timeStamp": "2026-12-04T21:00:00.000Z",
        "userMetadata": {},
        "modelName": "tm-my-image-model",
        "labels": LABELS,
        "imageSize": 16,
    }


def graph_model(folder: Path) -> np.ndarray:
    """A `tf.function` (no Keras) saved and converted to a TF.js graph model; returns nothing useful."""
    module = tf.Module()
    module.w = tf.Variable(np.arange(6, dtype="float32").reshape(3, 2))
    module.f = tf.function(lambda x: tf.matmul(x, module.w), input_signature=[tf.TensorSpec([None, 3])])
    with tempfile.TemporaryDirectory() as temp:
        tf.saved_model.save(module, temp, signatures=module.f)
        convert_tf_saved_model(temp, str(folder))


def write_reference(model: keras.Model, folder: Path) -> None:
    x0 = np.random.default_rng(7).normal(size=(4, *model.input_shape[1:])).astype("float32")
    np.savez_compressed(folder / "reference.npz", x0=x0, y0=model.predict(x0, verbose=0))


def made_by_tfjs(folder: Path, script: str) -> None:
    """A model made and saved by TensorFlow.js 1.3.1 in node (`script`); its reference to npz."""
    if not (NODE_PACKAGES / "node_modules" / "@tensorflow" / "tfjs-layers").is_dir():
        NODE_PACKAGES.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-save", "--prefix", str(NODE_PACKAGES),
             "@tensorflow/tfjs-core@1.3.1", "@tensorflow/tfjs-layers@1.3.1"],
            check=True,
        )  # fmt: skip
    env = {**os.environ, "NODE_PATH": str(NODE_PACKAGES / "node_modules")}
    subprocess.run(["node", str(HERE / script), str(folder)], check=True, env=env)
    reference = json.loads((folder / "reference.json").read_text())
    (folder / "reference.json").unlink()
    arrays = {key: np.asarray(value, dtype="float32") for key, value in reference.items()}
    np.savez_compressed(folder / "reference.npz", **arrays)


def make(name: str, folder: Path) -> None:
    model_dir = folder / "model"
    if name == "graph_model":
        graph_model(model_dir)
        return
    if name == "teachable_js":
        made_by_tfjs(folder, "make_teachable.js")
        (model_dir / "metadata.json").write_text(json.dumps(teachable_metadata("1.3.1")))
        return
    if name == "layers_js":
        made_by_tfjs(folder, "make_layers.js")
        return
    if name == "teachable":
        model = teachable_shaped()
        convert(model, model_dir)
        (model_dir / "metadata.json").write_text(json.dumps(teachable_metadata("4.22.0")))
    else:
        model = small_cnn()
        convert(model, model_dir, **FIXTURES[name])
    write_reference(model, folder)


FIXTURES = {
    "plain": {"weight_shard_size_bytes": 512},
    "uint8": {"quantization_dtype_map": {"uint8": True}},
    "float16": {"quantization_dtype_map": {"float16": True}},
    "uint16": {"quantization_dtype_map": {"uint16": True}, "split_weights_by_layer": True},
    "teachable": {},
    "teachable_js": {},
    "layers_js": {},
    "graph_model": {},
}


def main(names: list[str]) -> None:
    tf.keras.utils.set_random_seed(0)
    for name in names or list(FIXTURES):
        folder = DATA / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        make(name, folder)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"{name}: {size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
