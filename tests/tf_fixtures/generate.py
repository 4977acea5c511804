"""Make the tf.keras fixtures in `tests/tf_fixtures/data/` (run ONLY in a TensorFlow venv).

    python3.11 -m venv /work/venvs/tf215 && /work/venvs/tf215/bin/pip install tensorflow-cpu==2.15.1
    /work/venvs/tf215/bin/python tests/tf_fixtures/generate.py [NAME ...]   # all fixtures, or only these

Most fixtures come from TensorFlow 2.15; those listed in `VERSIONED` are made by every TensorFlow version
named there (2.13.1, 2.14.1, 2.15.1: one venv each), as `<name>_tf213`, `<name>_tf214`, `<name>_tf215`.
A run makes only the fixtures of the TensorFlow version it runs under.

Every fixture is a folder `data/<name>/` holding the saved artifact (named in `reference.json` "file"),
`reference.npz` (seeded inputs `x0`..., tf.keras outputs `y0`..., and the weights `w0`... in
`model.weights` order) and `reference.json` (tf and keras versions, `model.get_config()`, the weights'
names/shapes/dtypes, and `layers`: {layer path: indices into the weights} as Keras walks the layers).
The test suite never imports TensorFlow; it only reads these files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
layers = keras.layers
DATA = Path(__file__).resolve().parent / "data"
BATCH = 4
INPUT_SHAPES = {"reg": (5,)}  # models whose config leaves an input axis unknown: the shape fed to them


def mlp() -> keras.Model:
    model = keras.Sequential(
        [layers.Input((6,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")],
        name="mlp",
    )
    return _trained(model, loss="sparse_categorical_crossentropy", classes=3)


def lstm() -> keras.Model:
    model = keras.Sequential(
        [
            layers.Input((10, 2)),
            layers.LSTM(8, return_sequences=True),
            layers.LSTM(6),
            layers.Dropout(0.1),
            layers.Dense(1),
        ],
        name="forecaster",
    )
    return _trained(model, loss="mse")


def conv_residual() -> keras.Model:
    inputs = layers.Input((16, 3))
    first = layers.Conv1D(8, 3, padding="same", activation="relu")(inputs)
    second = layers.Conv1D(8, 3, padding="same")(first)
    merged = layers.Add()([first, second])
    normed = layers.BatchNormalization()(merged)
    pooled = layers.GlobalAveragePooling1D()(normed)
    model = keras.Model(inputs, layers.Dense(1)(pooled), name="residual")
    return _trained(model, loss="mse")


def tf_ops() -> keras.Model:
    """TensorFlow ops in the functional API: tf.keras saves them as TFOpLambda / SlicingOpLambda."""
    inputs = layers.Input((6,))
    x = layers.Dense(8)(inputs)
    x = x * 2.0
    x = tf.nn.relu(x)
    x = x + 1.0
    x = tf.reshape(x, (-1, 4, 2))
    x = tf.concat([x, x - 0.5], axis=-1)
    x = tf.reduce_mean(x, axis=1)
    x = x[:, 1:]
    model = keras.Model(inputs, layers.Dense(2)(x), name="tf_ops")
    return _trained(model, loss="mse")


def tf_ops_more() -> keras.Model:
    """The other mapped ops: tensor arithmetic, constants first, division, activations, transpose,
    matmul, expand_dims / squeeze, reductions over steps or channels, slices of sequences."""
    inputs = layers.Input((5, 4))
    a = layers.Dense(4)(inputs)
    x = tf.math.sigmoid(a) * a - tf.nn.tanh(a)
    x = (1.0 - x) / 4.0 + 2.0 * x
    x = tf.nn.softmax(x, axis=1) + tf.transpose(x, perm=[0, 1, 2])
    attention = tf.linalg.matmul(x, x, transpose_b=True)
    x = tf.linalg.matmul(attention, a)
    x = tf.concat([x[:, 1:], x[:, :-1]], axis=-1)
    x = tf.transpose(x, perm=[0, 2, 1])[:, 2:]
    steps = tf.reduce_max(x, axis=1)
    channels = tf.squeeze(tf.reduce_mean(x, axis=-1, keepdims=True), axis=-1)
    x = tf.concat([tf.nn.relu6(steps), tf.nn.elu(channels)], axis=1)
    x = tf.squeeze(tf.expand_dims(x, 1), axis=1)
    model = keras.Model(inputs, layers.Dense(2)(tf.reshape(x, [-1, x.shape[-1]])), name="tf_ops_more")
    return _trained(model, loss="mse")


def tf_ops_unsupported() -> keras.Model:
    """An op no Keras 3 built-in layer computes (`tf.math.cumsum`): the upgrade refuses it."""
    inputs = layers.Input((6,))
    x = tf.math.cumsum(layers.Dense(4)(inputs), axis=1)
    model = keras.Model(inputs, layers.Dense(2)(x), name="tf_ops_unsupported")
    return _trained(model, loss="mse")


def bidirectional() -> keras.Model:
    """Two layers of each class (Dense, LSTM, nested Sequential) so the per-class counters matter."""
    inputs = layers.Input((7, 3))
    x = layers.Conv1D(4, 2, activation="relu")(inputs)
    x = layers.Bidirectional(layers.LSTM(5, return_sequences=True))(x)
    x = layers.LSTM(3)(x)
    x = layers.Dense(6, activation="relu")(x)
    head = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(4)], name="head")
    x = head(x)
    model = keras.Model(inputs, layers.Dense(2)(x), name="bidir")
    return _trained(model, loss="mse")


def teachable_machine() -> keras.Model:
    """The shape of a Teachable Machine export: a Sequential of two Sequentials, the first wrapping a
    tiny MobileNet-like Functional (DepthwiseConv2D, BatchNormalization, ReLU(6))."""
    image = layers.Input((32, 32, 3))
    x = layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False, name="Conv1")(image)
    x = layers.BatchNormalization(name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    x = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="expanded_conv_depthwise")(x)
    x = layers.BatchNormalization(name="expanded_conv_depthwise_BN")(x)
    x = layers.ReLU(6.0, name="expanded_conv_depthwise_relu")(x)
    x = layers.Conv2D(8, 1, use_bias=False, name="expanded_conv_project")(x)
    x = layers.BatchNormalization(name="expanded_conv_project_BN")(x)
    backbone = keras.Model(image, x, name="model1")
    features = keras.Sequential([backbone, layers.GlobalAveragePooling2D()], name="sequential_1")
    head = keras.Sequential(
        [layers.Dense(6, activation="relu", name="dense_Dense1"), layers.Dense(3, activation="softmax")],
        name="sequential_3",
    )
    model = keras.Sequential([features, head], name="sequential_4")
    return _trained(model, loss="sparse_categorical_crossentropy", classes=3)


def counters() -> keras.Model:
    """The layouts tf.keras keys by class counters, not names: throwaway layers built first skew the
    auto-names (`conv2d_2` is the first Conv2D of the model), some layers are user-named, weightless
    layers (SpatialDropout2D, Dropout) sit between, and a nested Sequential keeps counters of its own."""
    scratch = layers.Input((4, 4, 1))
    for throwaway in (layers.Conv2D(1, 1), layers.Conv2D(1, 1), layers.Conv2DTranspose(1, 1)):
        throwaway(scratch)
    layers.Dense(1)(layers.Flatten()(scratch))
    image = layers.Input((8, 8, 2), name="image")
    first = layers.Conv2D(4, 3, padding="same", activation="relu")(image)
    x = layers.Conv2D(4, 3, padding="same", name="user_conv")(first)
    x = layers.SpatialDropout2D(0.2)(x)
    x = layers.Conv2D(6, 3, strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(4, 3, padding="same", name="user_up")(x)
    x = layers.Conv2DTranspose(4, 1)(x)
    x = layers.BatchNormalization()(layers.Add()([x, first]))
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(2, 1)(x))
    head = keras.Sequential(
        [layers.Dense(6, activation="relu"), layers.Dense(6, name="user_dense"), layers.Dense(4)], name="head"
    )
    x = layers.Dropout(0.1)(head(x))
    model = keras.Model(image, layers.Dense(3, activation="softmax")(x), name="counters")
    adam = keras.optimizers.Adam(learning_rate=0.002)  # its config: jit_compile, is_legacy_optimizer, ...
    loss = "sparse_categorical_crossentropy"
    return _trained(model, loss=loss, classes=3, metrics=["accuracy"], optimizer=adam)


@keras.utils.register_keras_serializable(package="Custom")
def stock_return_loss(y_true, y_pred):
    """A user's loss, registered as `Custom>stock_return_loss`: Keras 3 cannot compile without it."""
    return tf.reduce_mean(tf.square(y_true - y_pred) * (1.0 + tf.abs(y_true)))


@keras.utils.register_keras_serializable(package="Custom")
def direction_accuracy(y_true, y_pred):
    """A user's metric, registered as `Custom>direction_accuracy`."""
    return tf.reduce_mean(tf.cast(tf.sign(y_true) == tf.sign(y_pred), tf.float32))


def custom_loss() -> keras.Model:
    """Compiled with a custom loss and metric: Keras loads it with compile=False, and so must clone."""
    model = keras.Sequential(
        [layers.Input((5,)), layers.Dense(8, activation="relu"), layers.Dense(1)], name="stock"
    )
    rmsprop = keras.optimizers.RMSprop()  # tf.keras names its module keras.optimizers.experimental
    return _trained(model, loss=stock_return_loss, metrics=[direction_accuracy], optimizer=rmsprop)


def residual_ops() -> keras.Model:
    """A residual `a + b` between two tensors (TFOpLambda `tf.__operators__.add`) and a SpatialDropout1D
    (whose Keras 2 config carries `trainable`, which Keras 3 rejects)."""
    inputs = layers.Input((12, 3))
    a = layers.Conv1D(4, 3, padding="same", activation="relu")(inputs)
    b = layers.Conv1D(4, 3, padding="same")(layers.SpatialDropout1D(0.2)(a))
    x = layers.GlobalAveragePooling1D()(a + b)
    model = keras.Model(inputs, layers.Dense(2)(x), name="residual_ops")
    return _trained(model, loss="mse")


def slashed_names() -> keras.Model:
    """Layer names with `/` (as tf.keras's DenseNet names them: `conv1/conv`), which Keras 3 rejects, one
    of them clashing with an existing name once `/` becomes `_`, and a nested model holding one."""
    image = layers.Input((6, 6, 2))
    x = layers.Conv2D(3, 3, name="conv1/conv")(image)
    x = layers.BatchNormalization(name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1_bn")(x)
    pooled = layers.GlobalAveragePooling2D(name="pool")(x)
    head = keras.Sequential([layers.Dense(4, name="fc/dense"), layers.Dense(2)], name="head/mlp")
    model = keras.Model(image, head(pooled), name="densenet_like")
    return _trained(model, loss="mse")


def normalization() -> keras.Model:
    """The TensorFlow regression tutorial's shape: a Normalization adapted on the features, then a
    Sequential of it built by `fit` (no Input): the model's config leaves the feature width unknown."""
    rng = np.random.default_rng(3)
    features = (rng.normal(size=(32, 5)) * [1, 10, 100, 0.1, 3] + [0, 5, -50, 1, 2]).astype("float32")
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(features)
    model = keras.Sequential([normalizer, layers.Dense(8, activation="relu"), layers.Dense(1)], name="reg")
    model.compile(optimizer="adam", loss="mse")
    model.fit(features, rng.normal(size=(32, 1)).astype("float32"), epochs=2, batch_size=8, verbose=0)
    return model


def _trained(model: keras.Model, *, loss, classes: int = 0, metrics=None, optimizer="adam") -> keras.Model:
    """One short fit, so weights are not initial and the optimizer has slots (as real files do)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, *model.input_shape[1:])).astype("float32")
    shape = (16,) if classes else (16, *model.output_shape[1:])
    y = rng.integers(0, classes, size=shape) if classes else rng.normal(size=shape).astype("float32")
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    return model


def save_savedmodel(model: keras.Model, folder: Path) -> str:
    model.save(folder / "model", save_format="tf")
    return "model"


def save_savedmodel_untraced(model: keras.Model, folder: Path) -> str:
    """Without the traced call graphs (`save_traces=False`): an LSTM's traces alone are over 1 MB."""
    model.save(folder / "model", save_format="tf", save_traces=False)
    return "model"


def save_zip(model: keras.Model, folder: Path) -> str:
    model.save(folder / "model.keras")
    return "model.keras"


def save_h5(model: keras.Model, folder: Path) -> str:
    model.save(folder / "model.h5")
    return "model.h5"


def save_h5_named_keras(model: keras.Model, folder: Path) -> str:
    """A legacy `.h5` file under a `.keras` name (saved as h5, the name kept)."""
    model.save(folder / "model.h5")
    (folder / "model.h5").rename(folder / "model.keras")
    return "model.keras"


def save_teachable(model: keras.Model, folder: Path) -> str:
    model.save(folder / "keras_model.h5")
    return "keras_model.h5"


def save_json_pair(model: keras.Model, folder: Path) -> str:
    """`to_json()` beside `save_weights()` (tf.keras 2.15 writes `.weights.h5` in the zip's layout)."""
    pair = folder / "pair"
    pair.mkdir()
    (pair / "model.json").write_text(model.to_json())
    model.save_weights(pair / "model.weights.h5")
    return "pair"


def save_json_legacy_pair(model: keras.Model, folder: Path) -> str:
    """`to_json()` beside a Keras 2 HDF5 weights file (`layer_names` / `weight_names`)."""
    pair = folder / "pair"
    pair.mkdir()
    (pair / "model.json").write_text(model.to_json())
    model.save_weights(pair / "weights.h5", save_format="h5")
    return "pair"


def save_plain_tf(folder: Path) -> str:
    """A TensorFlow SavedModel with no Keras in it (no keras_metadata.pb)."""
    module = tf.Module()
    module.scale = tf.Variable(3.0)
    signature = [tf.TensorSpec([None], tf.float32)]
    module.double = tf.function(lambda x: x * module.scale, input_signature=signature)
    tf.saved_model.save(module, str(folder / "model"))
    return "model"


FIXTURES = {
    "mlp_savedmodel": (mlp, save_savedmodel),
    "lstm_savedmodel": (lstm, save_savedmodel_untraced),
    "conv_residual_savedmodel": (conv_residual, save_savedmodel),
    "tf_ops_savedmodel": (tf_ops, save_savedmodel),
    "bidirectional_savedmodel": (bidirectional, save_savedmodel_untraced),
    "mlp_zip": (mlp, save_zip),
    "bidirectional_zip": (bidirectional, save_zip),
    "tf_ops_h5": (tf_ops, save_h5),
    "tf_ops_more_h5": (tf_ops_more, save_h5),
    "tf_ops_unsupported_h5": (tf_ops_unsupported, save_h5),
    "teachable_machine_h5": (teachable_machine, save_teachable),
    "json_pair": (bidirectional, save_json_pair),
    "json_legacy_pair": (conv_residual, save_json_legacy_pair),
}
ALL_VERSIONS = ("2.13", "2.14", "2.15")
VERSIONED = {
    "counters_zip": (counters, save_zip, ALL_VERSIONS),
    "bidirectional_zip": (bidirectional, save_zip, ("2.13", "2.14")),  # 2.15's is `bidirectional_zip`
    "custom_loss_zip": (custom_loss, save_zip, ("2.14",)),
    "residual_h5_named_keras": (residual_ops, save_h5_named_keras, ("2.13",)),
    "normalization_savedmodel": (normalization, save_savedmodel_untraced, ("2.15",)),
    "slashed_names_h5": (slashed_names, save_h5, ("2.15",)),
    "slashed_names_zip": (slashed_names, save_zip, ("2.13",)),
}


def planned() -> dict[str, tuple]:
    """{fixture name: (build, save)} of the fixtures this TensorFlow version makes."""
    version = ".".join(tf.__version__.split(".")[:2])
    made = dict(FIXTURES) if version == "2.15" else {}
    for name, (build, save, versions) in VERSIONED.items():
        if version in versions:
            made[f"{name}_tf{version.replace('.', '')}"] = (build, save)
    return made


def layer_paths(model: keras.Model) -> dict[str, list[int]]:
    """{layer path: indices into model.weights}, nested models entered (as modelcfg's readers key them)."""
    index = {id(w): i for i, w in enumerate(model.weights)}
    found: dict[str, list[int]] = {}

    def walk(container, prefix):
        for layer in container.layers:
            path = (*prefix, layer.name)
            if isinstance(layer, keras.Model):
                walk(layer, path)
            elif layer.weights:
                found["/".join(path)] = [index[id(w)] for w in layer.weights]

    walk(model, ())
    return found


def _keras_version() -> str:
    from keras import __version__

    return __version__


def legacy_config(model: keras.Model) -> dict:
    """`{"class_name", "config"}` as tf.keras writes it into keras_metadata.pb (the legacy form: no
    `module` / `registered_name` / `build_config`)."""
    from keras.src.saving.legacy import saving_utils
    from keras.src.saving.legacy.saved_model import json_utils
    from keras.src.saving.legacy.saved_model.utils import keras_option_scope

    with keras_option_scope(save_traces=False, in_tf_saved_model_scope=True):
        envelope = saving_utils.model_metadata(model, include_optimizer=False)["model_config"]
    return json.loads(json.dumps(envelope, default=json_utils.get_json_type))


def write_reference(model: keras.Model, folder: Path, artifact: str) -> None:
    rng = np.random.default_rng(7)
    shape = INPUT_SHAPES.get(model.name, model.input_shape[1:])
    x0 = rng.normal(size=(BATCH, *shape)).astype("float32")
    y0 = model.predict(x0, verbose=0)
    arrays = {"x0": x0, "y0": y0}
    arrays.update({f"w{i}": w.numpy() for i, w in enumerate(model.weights)})
    np.savez_compressed(folder / "reference.npz", **arrays)
    reference = {
        "file": artifact,
        "tf_version": tf.__version__,
        "keras_version": _keras_version(),
        "class_name": model.__class__.__name__,
        "config": json.loads(json.dumps(model.get_config())),
        "legacy_config": legacy_config(model),
        "weights": [{"name": w.name, "shape": list(w.shape), "dtype": w.dtype.name} for w in model.weights],
        "layers": layer_paths(model),
        "inputs": ["x0"],
        "outputs": ["y0"],
    }
    (folder / "reference.json").write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n")


def main(names: list[str]) -> None:
    """Make the fixtures named (all that this TensorFlow version makes when none is named)."""
    for name, (build, save) in planned().items():
        if names and name not in names:
            continue
        shutil.rmtree(DATA / name, ignore_errors=True)
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        folder = DATA / name
        folder.mkdir(parents=True)
        model = build()
        write_reference(model, folder, save(model, folder))
    if names:
        return
    if tf.__version__.startswith("2.15"):
        plain = DATA / "plain_tf_savedmodel"
        shutil.rmtree(plain, ignore_errors=True)
        plain.mkdir()
        (plain / "reference.json").write_text(
            json.dumps({"file": save_plain_tf(plain), "tf_version": tf.__version__}, indent=1) + "\n"
        )
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    print(f"wrote {DATA} ({total / 1e6:.2f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
