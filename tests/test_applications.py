"""No false errors: all `keras.applications` architectures and models with every kind of layer validate.

Application configs are built once (weights=None, small inputs, 10 classes) and kept in the pytest cache,
keyed by the Keras version, so later runs only read them.
"""

from __future__ import annotations

import json
import warnings

import pytest

from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.findings import ERROR
from modelcfg_cli.sources import read_document


def errors_in(payload: dict, label: str, **options) -> list[str]:
    doc = document_from_payload(payload, label)
    return [f.line() for f in validate_document(doc, **options) if f.severity == ERROR]


def test_every_application_validates_without_errors(application_configs):
    failing = {name: errors_in(config, name, strict=True)[:3] for name, config in application_configs.items()}
    failing = {name: found for name, found in failing.items() if found}
    clean = len(application_configs) - len(failing)
    print(f"\napplications validated with zero errors: {clean}/{len(application_configs)}")
    assert len(application_configs) >= 40
    assert failing == {}


def build_layer_zoo():
    """One Functional model with RNN, attention, normalization, preprocessing, wrapper and op layers."""
    import keras
    from keras import layers

    tokens = keras.Input((6,), dtype="int32", name="tokens")
    image = keras.Input((16, 16, 3), name="image")
    x = layers.Embedding(40, 8, mask_zero=True, name="embed")(tokens)
    x = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode="sum", name="bigru")(x)
    x = layers.SimpleRNN(8, return_sequences=True, name="simple")(x)
    x = layers.LSTM(8, return_sequences=True, dropout=0.1, name="lstm")(x)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(x, x)
    x = layers.LayerNormalization(name="ln")(x)
    x = layers.GroupQueryAttention(head_dim=4, num_query_heads=2, num_key_value_heads=1, name="gqa")(x, x)
    x = layers.Attention(name="attn")([x, x])
    x = layers.TimeDistributed(layers.Dense(4), name="td")(x)
    x = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(4)]), name="stacked")(x)
    y = layers.Rescaling(1 / 255.0, offset=-1, name="rescale")(image)
    y = layers.Normalization(mean=[0.5, 0.5, 0.5], variance=[0.1, 0.1, 0.1], name="norm")(y)
    y = layers.Resizing(12, 12, name="resize")(y)
    y = layers.CenterCrop(10, 10, name="crop")(y)
    y = layers.RandomFlip(seed=1, name="flip")(y)
    y = layers.RandomRotation(0.1, name="rotate")(y)
    y = layers.SeparableConv2D(4, 3, name="sep")(y)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.GroupNormalization(groups=2, name="gn")(y)
    y = layers.DepthwiseConv2D((3, 3), depth_multiplier=2, name="dw")(y)
    y = layers.UnitNormalization(name="unit")(y)
    y = layers.GlobalAveragePooling2D(name="gap")(y)
    z = layers.Concatenate(name="concat")([x, y])
    z = layers.Dense(3, kernel_regularizer="l2", kernel_constraint="max_norm", name="head")(z)
    z = keras.ops.softmax(z * 2.0)
    return keras.Model([tokens, image], z, name="zoo")


def build_conv_recurrent():
    import keras
    from keras import layers

    seq = keras.Input((3, 8, 8, 2), name="frames")
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="convlstm")(seq)
    x = layers.TimeDistributed(layers.Conv2D(2, 1), name="per_frame")(x)
    x = layers.Conv3D(2, (1, 3, 3), name="conv3d")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Discretization(bin_boundaries=[0.0, 1.0], name="bins")(x)
    return keras.Model(seq, x, name="conv_recurrent")


@pytest.mark.parametrize("build", [build_layer_zoo, build_conv_recurrent])
def test_layer_zoo_validates_without_errors(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        envelope = json.loads(build().to_json())
    assert errors_in(envelope, build.__name__, strict=True) == []


@pytest.mark.parametrize("fmt", ["keras", "h5", "dir", "json", "yaml", "config"])
def test_saved_models_validate_without_errors(saved_models, fmt):
    for name, paths in saved_models.items():
        doc = read_document(paths[fmt])
        found = [f.line() for f in validate_document(doc, strict=name != "lambda") if f.severity == ERROR]
        assert found == [], (name, fmt, found)
