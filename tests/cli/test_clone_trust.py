"""`clone` checks the saved model against what Keras built (canonical forms pass, a dropped edit fails),
`model.dtype_policy` on every kind of model, optimizers saved under another backend, weights on stdin."""

from __future__ import annotations

import dataclasses
import json
import warnings
import zipfile

import keras
import numpy as np
import pytest

from modelcfg_cli.keras_side.pipeline import build, plan_clone
from tests.helpers import invoke

POLICIES = ("float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16")


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.load_model(path, compile=False)


@pytest.fixture(scope="session")
def trust_models(tmp_path_factory) -> dict:
    """A padded CNN (Functional), a Sequential, a nested model and a compiled model, saved once."""
    folder = tmp_path_factory.mktemp("trust")
    x = keras.Input((8, 8, 3))
    y = keras.layers.ZeroPadding2D(1, name="pad")(x)
    y = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(y)
    y = keras.layers.Flatten(name="flat")(y)
    cnn = keras.Model(x, keras.layers.Dense(2, name="out")(y), name="cnn")
    seq = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, name="a"), keras.layers.Dense(2, name="b")]
    )
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="ia")], name="inner")
    x = keras.Input((4,))
    nested = keras.Model(x, keras.layers.Dense(2, name="o")(inner(x)), name="nest")
    compiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")], name="compiled")
    compiled.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    paths = {}
    for name, model in {"cnn": cnn, "sequential": seq, "nested": nested, "compiled": compiled}.items():
        paths[name] = folder / f"{name}.keras"
        model.save(paths[name])
    return paths


def test_swish_and_padding_int_are_applied_in_keras_canonical_form(trust_models, tmp_path):
    rules = {"rules": [{"match": {"name": "conv"}, "set": {"activation": "swish"}},
                       {"match": {"name": "pad"}, "set": {"padding": 3}}]}  # fmt: skip
    plan = plan_clone(str(trust_models["cnn"]), rules)
    plan = dataclasses.replace(plan, findings=[])  # padding: 3 is checked by Keras here, not the schema
    result = build(plan, str(tmp_path / "canon.keras"), "keras")
    clone = load(result.out)
    assert clone.get_layer("conv").get_config()["activation"] == "silu"
    assert clone.get_layer("pad").get_config()["padding"] == ((3, 3), (3, 3))


def test_cli_swish_is_no_refusal(trust_models, tmp_path):
    out = tmp_path / "swish.keras"
    result = invoke("clone", trust_models["cnn"], "-o", out, "--set", "layers.conv.activation=swish")
    assert result.exit_code == 0, result.stderr
    assert load(out).get_layer("conv").get_config()["activation"] == "silu"


def test_an_edit_keras_drops_fails_after_the_change_report(trust_models, tmp_path):
    out = tmp_path / "dropped.keras"
    result = invoke("clone", trust_models["cnn"], "-o", out, "--set", "layers.out.input_dim=5")
    assert result.exit_code == 1 and not out.exists()
    lines = result.stdout.splitlines()  # the change report on stdout, as on success; the error on stderr
    assert lines[0].startswith("--set layers.out.input_dim=5") and "input_dim: (absent) -> 5" in lines[2]
    assert result.stderr.splitlines() == [
        f"modelcfg: error: {out}: the saved model is not the model the rules asked for",
        "  out.input_dim: Keras dropped the edit (asked 5; not in the model Keras built)",
    ]


@pytest.mark.parametrize("kind", ["sequential", "cnn", "nested"])
@pytest.mark.parametrize("policy", POLICIES)
def test_model_dtype_policy_on_every_kind_of_model(trust_models, tmp_path, kind, policy):
    out = tmp_path / f"{kind}_{policy}.keras"
    result = invoke(
        "clone", trust_models[kind], "-o", out, "--keep-weights", "--set", f"model.dtype_policy={policy}"
    )
    assert result.exit_code == 0, result.stderr
    clone, source = load(out), load(trust_models[kind])
    layers = [layer for layer in clone.layers if layer.weights and not isinstance(layer, keras.Model)]
    if kind == "nested":
        layers += clone.get_layer("inner").layers
    assert layers and {layer.dtype_policy.name for layer in layers} == {policy}
    kernel = layers[-1].get_weights()[0] if kind != "nested" else clone.get_layer("o").get_weights()[0]
    want = source.layers[-1].get_weights()[0]
    np.testing.assert_allclose(kernel.astype("float32"), want, rtol=1e-2, atol=1e-2)
    ignored = "note: Keras ignores a dtype on a Functional model itself"
    assert (ignored in result.stdout) == (kind != "sequential" and policy != "float32")


def test_dtype_policy_reaches_an_inserted_layer(trust_models, tmp_path):
    rules = tmp_path / "rules.json"
    dropout = {"class_name": "Dropout", "config": {"rate": 0.1}}
    rules.write_text(
        json.dumps(
            {
                "rules": [{"match": {"name": "a"}, "insert_after": dropout}],
                "model": {"dtype_policy": "mixed_float16"},
            }
        )
    )
    out = tmp_path / "inserted.keras"
    result = invoke("clone", trust_models["sequential"], "-o", out, "--rules", rules)
    assert result.exit_code == 0, result.stderr
    assert load(out).get_layer("a_dropout").dtype_policy.name == "mixed_float16"


def as_torch_saved(path, out) -> None:
    """`path` with its optimizer named as the torch backend names it (torch is not installed here: the
    torch wheel with its CUDA libraries is over 700 MB), byte for byte otherwise."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    optimizer = config["compile_config"]["optimizer"]
    optimizer.update(module="keras.src.backend.torch.optimizers.torch_adam", registered_name="Adam")
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_an_optimizer_saved_under_torch_is_restored_as_the_public_one(trust_models, tmp_path):
    source = tmp_path / "torch.keras"
    as_torch_saved(trust_models["compiled"], source)
    out = tmp_path / "clone.keras"
    result = invoke("clone", source, "-o", out, "--keep-weights")
    assert result.exit_code == 0, result.stderr
    assert "note: optimizer keras.src.backend.torch.optimizers.torch_adam.Adam restored as " \
           "keras.optimizers.Adam" in result.stdout  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert type(keras.saving.load_model(out).optimizer).__name__ == "Adam"


def test_an_unknown_backend_optimizer_leaves_the_compile_config_out(trust_models, tmp_path):
    source = tmp_path / "odd.keras"
    as_torch_saved(trust_models["compiled"], source)
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["compile_config"]["optimizer"]["class_name"] = "TorchOnlyOptimizer"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    result = invoke("clone", source, "-o", tmp_path / "out.keras")
    assert result.exit_code == 0, result.stderr
    assert "compile config left out: keras.src.backend.torch.optimizers.torch_adam.TorchOnlyOptimizer" in (
        result.stdout
    )


def test_keep_weights_from_stdin(trust_models, tmp_path):
    out = tmp_path / "stdin.keras"
    data = trust_models["cnn"].read_bytes()
    result = invoke("clone", "-", "-o", out, "--keep-weights", input=data)
    assert result.exit_code == 0, result.stderr
    assert "weights: kept 4 of 4 tensors in 2 layers" in result.stdout
    np.testing.assert_array_equal(
        load(out).get_layer("conv").get_weights()[0],
        load(trust_models["cnn"]).get_layer("conv").get_weights()[0],
    )


def test_tf_keras_2_13_weights_without_layer_names_are_refused_in_one_line(trust_models, tmp_path):
    """tf.keras 2.13-2.15 keyed a `.keras` file's weights by class counters, without the layer names."""
    import io

    import h5py

    with zipfile.ZipFile(trust_models["sequential"]) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        handle.create_dataset("_layer_checkpoint_dependencies/dense/vars/0", data=np.ones((4, 3)))
    members["model.weights.h5"] = buffer.getvalue()
    source = tmp_path / "tf213.keras"
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    result = invoke("clone", source, "-o", tmp_path / "out.keras", "--keep-weights")
    assert result.exit_code == 2 and not (tmp_path / "out.keras").exists()
    assert result.stderr.strip().splitlines() == [
        f"modelcfg: error: {source}: weights saved by tf.keras 2.13-2.15 do not record layer names; "
        "cannot match them by name"
    ]
