"""`clone --keep-weights` with no rules computes exactly what its source computes (np.array_equal on
random inputs), for every kind of layer Keras saves in its own structure, and counts every tensor."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras.src.dtype_policies.dtype_policy import QUANTIZATION_MODES

import modelcfg_cli
from tests import custom_blocks


def randomised(model: keras.Model, seed: int) -> keras.Model:
    """`model` with every float weight drawn at random (so a fresh clone could not match by chance)."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        if "float" in str(weight.dtype):
            weight.assign(rng.uniform(0.05, 0.5, size=weight.shape).astype(weight.dtype))
    return model


def cnn() -> keras.Model:
    x = keras.Input((12, 12, 3))
    y = keras.layers.Conv2D(4, 3, name="conv")(x)
    y = keras.layers.BatchNormalization(name="bn")(y)
    y = keras.layers.DepthwiseConv2D(3, name="dw")(y)
    y = keras.layers.GlobalAveragePooling2D()(y)
    return keras.Model(x, keras.layers.Dense(3, name="head")(y), name="cnn")


def text() -> keras.Model:
    x = keras.Input((7,), dtype="int32")
    y = keras.layers.Embedding(20, 6, name="embed")(x)
    y = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True), name="bi")(y)
    y = keras.layers.GRU(3, name="gru")(y)
    return keras.Model(x, keras.layers.Dense(2, name="out")(y), name="text")


def attention() -> keras.Model:
    x = keras.Input((5, 8))
    y = keras.layers.MultiHeadAttention(2, 4, name="mha")(x, x)
    y = keras.layers.LayerNormalization(name="ln")(y + x)
    return keras.Model(x, keras.layers.Dense(2, name="out")(y), name="attention")


def nested() -> keras.Model:
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name="in_dense")], name="inner")
    x = keras.Input((4,))
    y = inner(inner(x))  # shared: used twice
    return keras.Model(x, keras.layers.Dense(2, name="out")(y), name="nested")


def dense_pair() -> keras.Model:
    x = keras.Input((8,))
    y = keras.layers.Dense(16, name="d1")(x)
    return keras.Model(x, keras.layers.Dense(4, name="d2")(y), name="pair")


def quantized(mode: str):
    def build() -> keras.Model:
        model = randomised(dense_pair(), 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.quantize(mode)
        return model

    return build


def lora() -> keras.Model:
    model = dense_pair()
    model.get_layer("d1").enable_lora(2)
    return model


def custom_block() -> keras.Model:
    x = keras.Input((5, 8))
    y = custom_blocks.AttentionBlock(2, name="block")(x)
    return keras.Model(x, keras.layers.Dense(2, name="out")(y), name="custom")


def mobilenet() -> keras.Model:
    return keras.applications.MobileNetV3Small(
        weights=None, input_shape=(32, 32, 3), classes=4, include_preprocessing=False
    )


BUILDERS = {
    "cnn": cnn,
    "text": text,
    "attention": attention,
    "nested": nested,
    "int8": quantized("int8"),
    "float8": quantized("float8"),
    # int4 came with Keras 3.11; `make test-keras-min` runs these tests on the lowest Keras supported
    **({"int4": quantized("int4")} if "int4" in QUANTIZATION_MODES else {}),
    "lora": lora,
    "custom_block": custom_block,
    "mobilenet": mobilenet,
}
# randomised before quantizing, or already random (large uniform weights would overflow MobileNet)
NOT_RANDOMISED = {"int8", "float8", "int4", "mobilenet"}


@pytest.fixture(scope="session")
def sources(tmp_path_factory) -> dict:
    """Every model of BUILDERS, randomised and saved once."""
    folder = tmp_path_factory.mktemp("transfer")
    saved = {}
    for name, builder in BUILDERS.items():
        model = builder()
        if name not in NOT_RANDOMISED:
            randomised(model, 7)
        saved[name] = folder / f"{name}.keras"
        model.save(saved[name])
    return saved


def load(path) -> keras.Model:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.load_model(path, compile=False)


def random_inputs(model: keras.Model) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    arrays = []
    for tensor in model.inputs:
        shape = (2, *tensor.shape[1:])
        if "int" in str(tensor.dtype):
            arrays.append(rng.integers(0, 20, size=shape).astype(tensor.dtype))
        else:
            arrays.append(rng.normal(size=shape).astype("float32"))
    return arrays


def outputs(model: keras.Model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    result = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    return [np.asarray(result)] if not isinstance(result, list | dict) else list(result)


def stored_tensor_count(path) -> int:
    from modelcfg_cli.keras_side.carry import stored_tensors
    from modelcfg_cli.keras_side.stores import open_source_store

    store = open_source_store(str(path))
    try:
        return len(stored_tensors(store.h5_file))
    finally:
        store.close()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_clone_computes_exactly_what_its_source_computes(sources, tmp_path, name):
    out = tmp_path / "clone.keras"
    imports = ("tests.custom_blocks",) if name == "custom_block" else ()
    result = modelcfg_cli.clone(sources[name], out, keep_weights=True, imports=imports)
    count = stored_tensor_count(sources[name])
    assert count > 0
    assert result.notes[0].startswith(f"weights: kept {count:,} of {count:,} tensors in "), result.notes
    assert not any("re-initialised" in note or "dropped" in note for note in result.notes)
    source, clone = load(sources[name]), load(out)
    inputs = random_inputs(source)
    for got, want in zip(outputs(clone, inputs), outputs(source, inputs), strict=True):
        assert np.isfinite(want).all() and np.array_equal(got, want), name


def test_a_fresh_clone_differs_so_the_equality_above_means_something(sources, tmp_path):
    out = tmp_path / "fresh.keras"
    modelcfg_cli.clone(sources["attention"], out)
    inputs = random_inputs(load(out))
    assert not np.array_equal(outputs(load(out), inputs)[0], outputs(load(sources["attention"]), inputs)[0])


def test_a_rename_keeps_every_tensor_of_the_attention_layer(sources, tmp_path):
    out = tmp_path / "renamed.keras"
    rules = {"rules": [{"match": {"name": "mha"}, "rename": "attn"}]}
    result = modelcfg_cli.clone(sources["attention"], out, rules, keep_weights=True)
    assert result.notes[0] == "weights: kept 12 of 12 tensors in 3 layers"
    source, clone = load(sources["attention"]), load(out)
    for got, want in zip(
        clone.get_layer("attn").get_weights(), source.get_layer("mha").get_weights(), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_a_units_change_reinitialises_that_layer_only_and_says_why(sources, tmp_path):
    out = tmp_path / "units.keras"
    result = modelcfg_cli.clone(sources["text"], out, sets=["layers.out.units=5"], keep_weights=True)
    assert result.notes[0].startswith("weights: kept 10 of 12 tensors in 3 layers; 1 re-initialised")
    assert "  re-initialised out: shape changed: [3x2, 2] -> [3x5, 5]; by the rules" in result.notes
    source, clone = load(sources["text"]), load(out)
    for name in ("embed", "bi", "gru"):
        for got, want in zip(
            clone.get_layer(name).get_weights(), source.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(got, want)


def test_a_kept_kernel_when_only_the_bias_is_new(sources, tmp_path):
    out = tmp_path / "bias.keras"
    rules = {"rules": [{"match": {"name": "d2"}, "set": {"use_bias": False}}]}
    result = modelcfg_cli.clone(sources["lora"], out, rules, keep_weights=True)
    why = "kept 1 of 2 tensors; shape changed: [16x4, 4] -> [16x4]; by the rules"
    assert f"  re-initialised d2: {why}" in result.notes
    np.testing.assert_array_equal(
        load(out).get_layer("d2").get_weights()[0], load(sources["lora"]).get_layer("d2").get_weights()[0]
    )


def test_a_removed_layer_is_reported_dropped_with_its_tensor_count(sources, tmp_path):
    out = tmp_path / "removed.keras"
    rules = {"rules": [{"match": {"name": "ln"}, "remove": True}]}
    result = modelcfg_cli.clone(sources["attention"], out, rules, keep_weights=True)
    assert result.notes[0] == "weights: kept 10 of 12 tensors in 2 layers; 0 re-initialised, 1 dropped"
    assert "  dropped ln: 2 tensors not in the clone; by the rules" in result.notes


def test_a_keras_hub_backbone_with_import(tmp_path):
    """keras-hub requires tensorflow-text (hence TensorFlow), so it is not in the `test` extra: `make
    install` installs it without its dependencies, and this runs there (a bare `pip install .[test]` skips
    it)."""
    keras_hub = pytest.importorskip("keras_hub")
    backbone = keras_hub.models.GPT2Backbone(
        vocabulary_size=50,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        intermediate_dim=16,
        max_sequence_length=16,
    )
    source, out = tmp_path / "gpt2.keras", tmp_path / "clone.keras"
    backbone.save(source)
    result = modelcfg_cli.clone(source, out, keep_weights=True, imports=("keras_hub",))
    assert result.notes[0] == "weights: kept 20 of 20 tensors in 4 layers"
    rng = np.random.default_rng(3)
    inputs = {"token_ids": rng.integers(0, 50, (2, 16)), "padding_mask": np.ones((2, 16), "int32")}
    want = load(source).predict(inputs, verbose=0)
    assert np.isfinite(want).all() and np.array_equal(load(out).predict(inputs, verbose=0), want)
