"""Wrong answers a careful user found (issue 19): one compiled model saved as .keras and .h5 is equal;
--ignore-names --weights pairs tensors; layers renamed and edited one after another pair up; textconv
reads stdin's weights and lists layers in graph order whatever order they are stored in."""

from __future__ import annotations

import json
import random
import warnings

import pytest

from modelcfg_cli.diffing.diff import Change, diff
from modelcfg_cli.sources import read_document
from tests.helpers import invoke


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Small real models saved by Keras (a few milliseconds each)."""
    import keras

    warnings.filterwarnings("ignore")
    folder = tmp_path_factory.mktemp("pairs")
    compiled = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)], name="mlp"
    )
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    compiled.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.5),
        loss=keras.losses.Huber(),
        metrics=[keras.metrics.AUC(), "mae"],
    )
    compiled.save(folder / "mlp.keras")
    compiled.save(folder / "mlp.h5")
    compiled.compile(optimizer=keras.optimizers.SGD(0.2), loss="mse")
    compiled.save(folder / "mlp_sgd.h5")
    for name in ("auto_a", "auto_b"):  # auto-named: dense_N differs between the two
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)]).save(
            folder / f"{name}.keras"
        )
    for name, (first, second, units, activation) in {
        "chain_a": ("d1", "d2", 3, None),
        "chain_b": ("e1", "e2", 5, "relu"),
    }.items():
        x = keras.Input((4,), name="x")
        h = keras.layers.Dense(units, name=first)(x)
        y = keras.layers.Dense(2, activation=activation, name=second)(h)
        keras.Model(x, y, name="chain").save(folder / f"{name}.keras")
    return folder


def test_one_compiled_model_as_keras_and_h5_is_equal(built):
    result = invoke("diff", built / "mlp.keras", built / "mlp.h5")
    assert result.exit_code == 0, result.stdout
    assert "are equal" in result.stdout


def test_a_real_compile_change_against_h5_is_still_found(built):
    result = invoke("diff", "--format=json", built / "mlp.keras", built / "mlp_sgd.h5")
    assert result.exit_code == 1
    paths = {change["path"] for change in json.loads(result.stdout)["changes"]}
    assert "compile_config.loss" in paths and not any(path.endswith(".module") for path in paths)


def test_ignore_names_weights_pairs_auto_named_layers(built):
    result = invoke(
        "diff", "--ignore-names", "--weights", "--format=json", built / "auto_a.keras", built / "auto_b.keras"
    )
    data = json.loads(result.stdout)
    kinds = {change["change"] for change in data["weights"]} if "weights" in data else set()
    text = invoke(
        "diff", "--ignore-names", "--weights", built / "auto_a.keras", built / "auto_b.keras"
    ).stdout
    assert "removed" not in text and "added" not in text, text
    assert "max_abs" in text and "2 changed tensors" in text, (text, kinds)


def test_two_consecutive_layers_renamed_and_edited(built):
    changes = diff(read_document(str(built / "chain_a.keras")), read_document(str(built / "chain_b.keras")))
    assert Change("renamed", "d1", None, "d1", "e1") in changes
    assert Change("renamed", "d2", None, "d2", "e2") in changes
    assert Change("changed", "d2", "activation", "linear", "relu") in changes
    assert not [change for change in changes if change.kind in ("removed", "added", "model")]


def test_textconv_of_stdin_lists_the_weights(built):
    for name in ("mlp.keras", "mlp.h5"):
        from_file = invoke("textconv", built / name)
        from_stdin = invoke("textconv", "-", input=(built / name).read_bytes())
        assert from_stdin.exit_code == 0
        assert "weights: 4 tensors, 23 values" in from_stdin.stdout
        assert from_stdin.stdout.split("weights:")[1] == from_file.stdout.split("weights:")[1]


def test_textconv_order_does_not_follow_the_stored_order(saved_models, tmp_path):
    envelope = json.loads(open(saved_models["branches"]["json"]).read())
    texts = set()
    for seed in range(4):
        random.Random(seed).shuffle(envelope["config"]["layers"])
        path = tmp_path / f"shuffled{seed}.json"
        path.write_text(json.dumps(envelope))
        texts.add(invoke("textconv", path).stdout.split("\n", 3)[3])
    assert len(texts) == 1
    order = [line.split()[1] for line in texts.pop().splitlines() if line.startswith("layer ")]
    assert order == ["left", "right", "shared", "side", "concat", "head"]  # inputs first, then by name
