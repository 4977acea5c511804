"""Agreement with Keras: broken copies of real configs that Keras refuses are reported at the right layer."""

from __future__ import annotations

import copy
import json
import warnings

import pytest

from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.findings import ERROR
from tests.legacy import keras2_functional


def build_cnn():
    import keras

    inp = keras.Input((8, 8, 3), name="image")
    x = keras.layers.ZeroPadding2D(1, name="pad")(inp)
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(x)
    x = keras.layers.Cropping2D(1, name="crop")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dropout(0.2, name="drop")(x)
    x = keras.layers.Dense(6, activation="relu", name="fc")(x)
    out = keras.layers.Dense(2, activation="softmax", name="out")(x)
    return keras.Model(inp, out, name="cnn")


def build_ops():
    """A Functional model holding op layers (`keras.src.ops.numpy` classes)."""
    import keras

    keras.backend.clear_session()  # op layers get automatic names: start their counters afresh
    x = keras.Input((4,), name="x")
    y = keras.ops.concatenate([x, x], axis=-1)
    return keras.Model(x, keras.ops.mean(y, axis=-1, keepdims=True), name="ops")


@pytest.fixture(scope="session")
def bases(saved_models) -> dict:
    """name -> full serialized model (to_json form) of every model the mutants start from."""
    loaded = {
        name: json.loads(open(saved_models[name]["json"]).read()) for name in ("rnn", "nested", "sequential")
    }
    loaded["branches"] = json.loads(open(saved_models["branches"]["json"]).read())
    loaded["cnn"] = json.loads(build_cnn().to_json())
    loaded["keras2"] = keras2_functional()
    loaded["ops"] = json.loads(build_ops().to_json())
    return loaded


def legacy_inbound(name: str, producer: str):
    def mutate(env):
        layer(env, name)["inbound_nodes"] = [[[producer, 0, 0, {}]]]

    return mutate


def layer(envelope: dict, name: str) -> dict:
    """The entry of layer `name`, searching nested models and wrappers too."""
    for item in envelope["config"]["layers"]:
        if item.get("name") == name or item.get("config", {}).get("name") == name:
            return item
        inner = item.get("config", {})
        if isinstance(inner.get("layers"), list):
            try:
                return layer(item, name)
            except StopIteration:
                pass
    raise StopIteration(name)


def cfg(name: str, **changes):
    def mutate(env):
        layer(env, name)["config"].update(changes)

    return mutate


def drop_key(name: str, key: str):
    def mutate(env):
        del layer(env, name)["config"][key]

    return mutate


def set_history(name: str, history: list):
    def mutate(env):
        layer(env, name)["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = history

    return mutate


def rename(name: str, new: str):
    def mutate(env):
        entry = layer(env, name)
        entry["name"] = new
        entry["config"]["name"] = new

    return mutate


def entry_key(name: str, key: str, value=None):
    def mutate(env):
        entry = layer(env, name)
        if value is None:
            del entry[key]
        else:
            entry[key] = value

    return mutate


def wrapped(name: str, **changes):
    def mutate(env):
        layer(env, name)["config"]["layer"]["config"].update(changes)

    return mutate


def outputs(value):
    def mutate(env):
        env["config"]["output_layers"] = value

    return mutate


REG = {"module": "keras.regularizers", "class_name": "L3", "config": {}, "registered_name": None}
INIT = {
    "module": "keras.initializers",
    "class_name": "GlorotUniformish",
    "config": {},
    "registered_name": None,
}

# (id, base model, layer the error must name (None: the model itself), mutation, strict)
MUTANTS = [
    ("negative filters", "cnn", "conv", cfg("conv", filters=-3)),
    ("zero filters", "cnn", "conv", cfg("conv", filters=0)),
    ("string units", "cnn", "fc", cfg("fc", units="8")),
    ("float units", "cnn", "fc", cfg("fc", units=6.5)),
    ("zero units", "cnn", "out", cfg("out", units=0)),
    ("unknown keyword", "cnn", "fc", cfg("fc", unitz=8)),
    ("typo keyword", "cnn", "bn", cfg("bn", momentun=0.9)),
    ("bad padding", "cnn", "conv", cfg("conv", padding="sam")),
    ("bad data_format", "cnn", "conv", cfg("conv", data_format="channels_middle")),
    ("kernel_size arity", "cnn", "conv", cfg("conv", kernel_size=[3, 3, 3])),
    ("zero strides", "cnn", "conv", cfg("conv", strides=[0, 0])),
    ("pool_size arity", "cnn", "pool", cfg("pool", pool_size=[2, 2, 2])),
    ("dropout rate > 1", "cnn", "drop", cfg("drop", rate=1.5)),
    ("dropout rate < 0", "cnn", "drop", cfg("drop", rate=-0.1)),
    ("string epsilon", "cnn", "bn", cfg("bn", epsilon="small")),
    ("bad activation", "cnn", "fc", cfg("fc", activation="rleu")),
    ("bad initializer name", "cnn", "fc", cfg("fc", kernel_initializer="glorot_unifrom")),
    ("bad initializer class", "cnn", "fc", cfg("fc", kernel_initializer=INIT)),
    ("bad regularizer class", "cnn", "fc", cfg("fc", kernel_regularizer=REG)),
    ("bad dtype", "cnn", "conv", cfg("conv", dtype="float33")),
    ("string trainable", "cnn", "conv", cfg("conv", trainable="yes")),
    ("string batch_shape", "cnn", "image", cfg("image", batch_shape="abc")),
    ("missing units", "cnn", "fc", drop_key("fc", "units")),
    ("missing kernel_size", "cnn", "conv", drop_key("conv", "kernel_size")),
    ("dangling inbound", "cnn", "fc", set_history("fc", ["ghost", 0, 0])),
    ("bad node index", "cnn", "fc", set_history("fc", ["drop", 3, 0])),
    ("cycle", "cnn", ("conv", "crop", "fc", "bn", "pool", "flat", "drop"), set_history("conv", ["fc", 0, 0])),
    ("duplicate name", "cnn", "drop", rename("fc", "drop")),
    ("missing output layer", "cnn", None, outputs([["ghost", 0, 0]])),
    ("output tensor index", "cnn", None, outputs([["out", 0, 3]])),
    ("missing class_name", "cnn", "fc", entry_key("fc", "class_name")),
    ("unknown class", "cnn", "fc", entry_key("fc", "class_name", "Convolution2DX")),
    ("Keras 1 class name", "cnn", "fc", entry_key("fc", "class_name", "Dense2")),
    ("disconnected layer", "cnn", ("flat", "drop"), entry_key("flat", "inbound_nodes", [])),
    ("negative LSTM units", "rnn", "lstm_2", cfg("lstm_2", units=-1)),
    ("bad merge_mode", "rnn", "bilstm", cfg("bilstm", merge_mode="avg")),
    ("zero embedding input_dim", "rnn", "embed", cfg("embed", input_dim=0)),
    ("wrapped layer units", "rnn", "bilstm/forward_lstm", wrapped("bilstm", units=-2)),
    ("unknown keyword in Sequential", "sequential", "dense_1", cfg("dense_1", unitz=3)),
    ("negative units in Sequential", "sequential", "dense_2", cfg("dense_2", units=-4)),
    ("nested model units", "nested", "inner_block/inner_dense", cfg("inner_dense", units=-1)),
    ("shared layer bad node", "branches", "head", set_history("head", ["concat", 2, 0])),
    ("concat axis string", "branches", "concat", cfg("concat", axis="last")),
    ("legacy negative units", "keras2", "dense_1", cfg("dense_1", units=-1)),
    ("legacy Keras 1 keyword", "keras2", "dense_1", cfg("dense_1", output_dim=3)),
    ("legacy dangling inbound", "keras2", "dense_2", legacy_inbound("dense_2", "dense_9")),
    ("op unknown keyword", "ops", "concatenate", cfg("concatenate", axes=1)),
    ("op missing class", "ops", "mean", entry_key("mean", "class_name", "Meen")),
    # shorthand forms next to the ones Keras takes (int for tuple, aliases, names): these it refuses
    ("zero kernel_size int", "cnn", "conv", cfg("conv", kernel_size=0)),
    ("float kernel_size", "cnn", "conv", cfg("conv", kernel_size=2.5)),
    ("zero pool_size int", "cnn", "pool", cfg("pool", pool_size=0)),
    ("float padding", "cnn", "pad", cfg("pad", padding=1.5)),
    ("padding arity", "cnn", "pad", cfg("pad", padding=[1, 2, 3])),
    ("padding pair arity", "cnn", "pad", cfg("pad", padding=[[1, 1, 1], [1, 1]])),
    ("negative cropping int", "cnn", "crop", cfg("crop", cropping=-1)),
    ("negative cropping pair", "cnn", "crop", cfg("crop", cropping=[[-1, 0], [0, 0]])),
    ("activation alias case", "cnn", "fc", cfg("fc", activation="Swish")),
    ("initializer needing config as a name", "cnn", "fc", cfg("fc", kernel_initializer="constant")),
    (
        "bad initializer alias in dict",
        "cnn",
        "fc",
        cfg("fc", kernel_initializer={"class_name": "he_norm", "config": {}}),
    ),
    ("number as regularizer", "cnn", "fc", cfg("fc", kernel_regularizer=0.01)),
    ("bad constraint name", "cnn", "fc", cfg("fc", kernel_constraint="maxnorm")),
    ("int8 layer dtype", "cnn", "fc", cfg("fc", dtype="int8")),
    ("quantized policy from a bad dtype", "cnn", "fc", cfg("fc", dtype="int8_from_float33")),
    ("unknown input dtype", "cnn", "image", cfg("image", dtype="mixed_float16")),
]
UNKNOWN_CLASS = "unknown layer class"  # without --strict an unknown class is a warning, not an error


def keras_rejects(envelope: dict) -> bool:
    """Keras 3 cannot rebuild the model (legacy configs go through Keras's legacy loader, as .h5 files do)."""
    import keras
    from keras.src.legacy.saving import saving_utils

    load = keras.saving.deserialize_keras_object if "module" in envelope else saving_utils.model_from_config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load(copy.deepcopy(envelope))
        except Exception:
            return True
    return False


def detected(envelope: dict, target, strict: bool = True) -> bool:
    """validate reports an error naming the target layer (or the model, for None); without `strict`
    a warning that the class is unknown counts too."""
    doc = document_from_payload(copy.deepcopy(envelope), "mutant")
    findings = [
        f
        for f in validate_document(doc, strict=strict)
        if f.severity == ERROR or (not strict and UNKNOWN_CLASS in f.message)
    ]
    if target is None:
        return any(f.layer is None for f in findings)
    targets = target if isinstance(target, tuple) else (target,)
    return any(f.layer in targets or (f.layer or "").split("/")[-1] in targets for f in findings)


def _mutant(bases, base: str, mutate) -> dict:
    envelope = copy.deepcopy(bases[base])
    mutate(envelope)
    return envelope


def test_bases_are_valid_for_keras_and_validate(bases):
    for name, envelope in bases.items():
        assert not keras_rejects(envelope), name
        doc = document_from_payload(copy.deepcopy(envelope), name)
        assert [f for f in validate_document(doc) if f.severity == ERROR] == [], name


@pytest.mark.parametrize(("base", "target", "mutate"), [m[1:] for m in MUTANTS], ids=[m[0] for m in MUTANTS])
def test_mutant_keras_rejects_is_reported(bases, base, target, mutate):
    envelope = _mutant(bases, base, mutate)
    assert keras_rejects(envelope), "Keras accepts this mutant: drop it from MUTANTS"
    assert detected(envelope, target), "not reported as an error with --strict"
    assert detected(envelope, target, strict=False), "not reported without --strict"
