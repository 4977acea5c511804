"""tf.keras 2.13, 2.14 and 2.15 files, each made by that TensorFlow version (`tests/tf_fixtures/generate.py`
in /work/venvs/tf213, tf214, tf215): weights keyed by tf.keras's per-class counters (2.13 counts a layer
with weights twice), tf.keras optimizer and compile configs, a custom loss, a residual `a + b` op in an
`.h5` named `.keras`, SpatialDropout's `trainable`, and a Normalization whose input width only its stored
mean knows. Every clone must carry every stored tensor bit for bit and compute what tf.keras computed."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import h5py
import numpy as np
import pytest

from modelcfg_cli.errors import UpgradeRefused
from modelcfg_cli.legacy.compile_config import upgrade_compile_config
from modelcfg_cli.legacy.slashes import renamed_paths
from modelcfg_cli.legacy.upgrade import upgrade_envelope
from modelcfg_cli.weights.stored import read_weights
from modelcfg_cli.weights.tf.tfkeras_zip import read_tfkeras_weights
from tests.helpers import invoke
from tests.tf_fixtures.fixtures import (
    artifact,
    assert_same_weights,
    clone_each,
    expected_weights,
    outputs,
    reference,
)

COUNTERS = ("counters_zip_tf213", "counters_zip_tf214", "counters_zip_tf215")
SLASHED = ("slashed_names_h5_tf215", "slashed_names_zip_tf213")  # DenseNet's `conv1/conv`
WRAPPERS = ("bidirectional_zip_tf213", "bidirectional_zip_tf214")  # an LSTM's cell, Bidirectional's two
CLONED = (
    *COUNTERS,
    *WRAPPERS,
    "custom_loss_zip_tf214",
    "residual_h5_named_keras_tf213",
    "normalization_savedmodel_tf215",
    *SLASHED,
)


@pytest.fixture(scope="session")
def clones(tmp_path_factory) -> dict:
    """{fixture: (CloneResult, the clone loaded by Keras 3)}, each cloned once with --keep-weights."""
    return clone_each(CLONED, tmp_path_factory.mktemp("tfkeras_versions"))


def _stored_keys(name: str) -> set[str]:
    """The layer groups holding arrays in a tf.keras zip's weights file (optimizer and metrics aside)."""
    with zipfile.ZipFile(artifact(name)) as archive:
        handle = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        names: list[str] = []
        handle.visititems(lambda key, obj: names.append(key) if hasattr(obj, "shape") else None)
    return {key.rsplit("/vars/", 1)[0] for key in names if not key.startswith(("optimizer", "metrics"))}


def test_each_version_wrote_its_own_keys():
    """The fixtures hold the layouts the reader must reproduce: 2.13 skips a number per layer with
    weights, 2.14 counts each layer once, 2.15 moved the layers under `layers/`."""
    assert reference("counters_zip_tf213")["keras_version"].startswith("2.13")
    assert reference("counters_zip_tf214")["keras_version"].startswith("2.14")
    assert reference("counters_zip_tf215")["keras_version"].startswith("2.15")
    convs = {name: sorted(k for k in _stored_keys(name) if "/conv2d" in k) for name in COUNTERS}
    container = "_layer_checkpoint_dependencies"
    assert [k.split("/")[-1] for k in convs["counters_zip_tf213"]] == [
        "conv2d",
        "conv2d_2",
        "conv2d_4",
        "conv2d_6",
        "conv2d_transpose",
        "conv2d_transpose_2",
        "conv2d_transpose_4",
    ]
    assert f"{container}/sequential/{container}/dense_4" in _stored_keys("counters_zip_tf213")
    assert [k.split("/")[-1] for k in convs["counters_zip_tf214"]][:4] == [
        "conv2d",
        "conv2d_1",
        "conv2d_2",
        "conv2d_3",
    ]
    assert all(k.startswith("layers/") for k in _stored_keys("counters_zip_tf215"))


@pytest.mark.parametrize("name", COUNTERS)
def test_weights_are_placed_as_tf_keras_keyed_them(name):
    weights = read_weights(str(artifact(name)))
    assert "user_conv" in weights and "conv2d_3" in weights and "head/user_dense" in weights
    assert_same_weights(weights, expected_weights(name))


@pytest.mark.parametrize("name", WRAPPERS)
def test_wrapped_and_recurrent_layers_are_placed_as_tf_keras_keyed_them(name):
    assert_same_weights(read_weights(str(artifact(name))), expected_weights(name))


@pytest.mark.parametrize("name", ["counters_zip_tf213", "counters_zip_tf214", *WRAPPERS])
def test_without_a_version_the_counting_that_places_every_tensor_wins(name):
    with zipfile.ZipFile(artifact(name)) as archive:
        envelope = json.loads(archive.read("config.json"))
        handle = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        found = read_tfkeras_weights(handle, envelope, name, None)
    assert_same_weights(found, expected_weights(name))


def test_the_wrong_version_s_counting_is_refused_in_one_line():
    with zipfile.ZipFile(artifact("counters_zip_tf213")) as archive:
        envelope = json.loads(archive.read("config.json"))
        handle = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        with pytest.raises(Exception, match=r"only \d+ of the 26 stored layer weights match"):
            read_tfkeras_weights(handle, envelope, "x.keras", "2.14.0")


@pytest.mark.parametrize("name", CLONED)
def test_clone_computes_what_tf_keras_computed(clones, name):
    got, expected = outputs(clones[name][1], name)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5


@pytest.mark.parametrize("name", CLONED)
def test_every_stored_tensor_is_carried_bit_for_bit(clones, name):
    result, model = clones[name]
    wanted = reference(name)
    tensors, layers = len(wanted["weights"]), len(wanted["layers"])
    assert f"weights: kept {tensors} of {tensors} tensors in {layers} layers" in result.notes
    renames = renamed_paths(wanted["legacy_config"])  # `conv1/conv` is `conv1_conv` in Keras 3
    for path, arrays in expected_weights(name).items():
        layer = model
        for part in renames.get(path, path).split("/"):
            layer = layer.get_layer(part)
        got = [np.asarray(w) for w in layer.get_weights()]
        assert [a.shape for a in got] == [a.shape for a in arrays], path
        for mine, theirs in zip(got, arrays, strict=True):
            np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("name", COUNTERS)
def test_tf_keras_optimizer_and_compile_config_are_restored(clones, name):
    import keras

    result, _ = clones[name]
    with zipfile.ZipFile(result.out) as archive:
        compile_config = json.loads(archive.read("config.json"))["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert "jit_compile" not in compile_config["optimizer"]["config"]
    compiled = keras.saving.load_model(result.out)
    assert compiled.optimizer.__class__.__name__ == "Adam"
    assert float(compiled.optimizer.learning_rate) == pytest.approx(0.002)
    assert compiled.loss == "sparse_categorical_crossentropy"


def test_a_custom_loss_leaves_the_compile_config_out_with_one_warning(tmp_path):
    out = tmp_path / "out.keras"
    result = invoke("clone", artifact("custom_loss_zip_tf214"), "-o", out, "--keep-weights")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("modelcfg: warning:")]
    assert len(warnings) == 1
    assert "compile config left out: loss 'stock_return_loss' is not known to Keras" in warnings[0]
    with zipfile.ZipFile(out) as archive:
        assert not json.loads(archive.read("config.json")).get("compile_config")  # uncompiled
    assert "weights: kept 4 of 4 tensors in 2 layers" in result.stdout


def test_the_residual_add_of_an_h5_named_keras_becomes_an_add_layer(clones):
    result, model = clones["residual_h5_named_keras_tf213"]
    assert not [layer for layer in model.layers if "OpLambda" in type(layer).__name__]
    assert type(model.get_layer("tf.__operators__.add")).__name__ == "Add"
    dropout = model.get_layer("spatial_dropout1d")
    assert type(dropout).__name__ == "SpatialDropout1D"
    assert "trainable" not in dropout.get_config()


def _spatial_dropout(trainable: bool) -> dict:
    layer = {"class_name": "SpatialDropout1D", "config": {"name": "sd", "rate": 0.1, "trainable": trainable}}
    inputs = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 2], "name": "in"}}
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [inputs, layer]}}


def test_spatial_dropout_loses_trainable_with_a_note_only_when_it_was_false():
    kept, notes = upgrade_envelope(_spatial_dropout(True))
    assert "trainable" not in kept["config"]["layers"][1]["config"]
    assert not [note for note in notes if "trainable" in note]
    frozen, notes = upgrade_envelope(_spatial_dropout(False))
    assert "trainable" not in frozen["config"]["layers"][1]["config"]
    assert [note for note in notes if "dropped trainable=False" in note]


def test_the_normalization_width_comes_from_its_stored_mean(clones):
    legacy = reference("normalization_savedmodel_tf215")["legacy_config"]
    assert legacy["config"]["layers"][0]["config"]["batch_input_shape"] == [None, None]
    _, model = clones["normalization_savedmodel_tf215"]
    assert tuple(model.input_shape) == (None, 5)


def test_a_fresh_clone_of_the_normalization_model_builds_too(tmp_path):
    out = tmp_path / "fresh.keras"
    result = invoke("clone", artifact("normalization_savedmodel_tf215"), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.exists()


def test_every_unmapped_op_layer_is_named_in_the_one_line():
    with h5py.File(artifact("tf_ops_unsupported_h5"), "r") as handle:
        envelope = json.loads(handle.attrs["model_config"])
    layers = envelope["config"]["layers"]
    op = next(layer for layer in layers if layer["class_name"] == "TFOpLambda")
    second = copy.deepcopy(op)
    second["name"] = second["config"]["name"] = "tf.math.cumsum_1"
    layers.insert(layers.index(op) + 1, second)
    with pytest.raises(UpgradeRefused) as refused:
        upgrade_envelope(envelope)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("2 TensorFlow op layers have no Keras 3 form")
    assert "layer 'tf.math.cumsum' calls tf.math.cumsum" in message
    assert "layer 'tf.math.cumsum_1' calls tf.math.cumsum" in message


def test_legacy_optimizer_arguments_are_renamed_and_a_lost_decay_is_a_warning():
    envelope = {
        "compile_config": {
            "optimizer": {
                "module": "keras.optimizers.legacy",
                "class_name": "SGD",
                "config": {"name": "SGD", "lr": 0.1, "decay": 0.01, "is_legacy_optimizer": True},
            },
            "steps_per_execution": None,
            "jit_compile": None,
            "run_eagerly": None,
        }
    }
    notes: list[str] = []
    upgrade_compile_config(envelope, notes)
    optimizer = envelope["compile_config"]["optimizer"]
    assert optimizer["module"] == "keras.optimizers"
    assert optimizer["config"] == {"name": "SGD", "learning_rate": 0.1}
    assert set(envelope["compile_config"]) == {"optimizer"}
    assert notes == [
        "warning: compile_config/optimizer: dropped decay=0.01 (SGD in Keras 3 has no such argument; "
        "use a learning-rate schedule)"
    ]


def test_a_functional_normalization_fed_by_an_input_of_unknown_width_gets_it():
    import keras

    from modelcfg_cli.legacy.widths import fill_widths, unknown_widths

    inputs = keras.Input((3, 4), name="features")
    outputs = keras.layers.Dense(2)(keras.layers.Normalization(axis=-1, name="norm")(inputs))
    envelope = json.loads(keras.Model(inputs, outputs).to_json())
    entry = envelope["config"]["layers"][0]
    assert entry["class_name"] == "InputLayer"
    entry["config"]["batch_shape"] = [None, 3, None]
    assert unknown_widths(envelope)
    assert fill_widths(envelope, {"norm": [(4,), (4,), ()]}) == [
        "norm: input width taken from its stored mean [4]"
    ]
    assert entry["config"]["batch_shape"] == [None, 3, 4]
    assert not unknown_widths(envelope)


@pytest.mark.parametrize("name", CLONED)
def test_compare_runs_on_the_tf_keras_file_and_finds_its_clone_equal(clones, name):
    """`compare` builds the tf.keras file in memory (no save and reload: a Normalization's mean must
    follow its carried variables) and leaves out a compile config it does not need."""
    result = invoke("compare", artifact(name), clones[name][0].out)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "equal: 1 output(s) within" in result.stdout


def test_a_registered_name_keras_does_not_know_is_named_and_a_known_config_is_kept():
    import keras

    from modelcfg_cli.keras_side.compile_check import restorable_compile_config

    known = {"compile_config": {"optimizer": "adam", "loss": "mse", "metrics": ["accuracy", "mae"]}}
    assert restorable_compile_config(keras, known) == (known, [])
    custom = {"compile_config": {**known["compile_config"], "metrics": {"out": ["Custom>hit_rate"]}}}
    envelope, notes = restorable_compile_config(keras, custom)
    assert envelope["compile_config"] is None and custom["compile_config"] is not None
    assert notes == [
        "warning: compile config left out: metrics 'Custom>hit_rate' is not known to Keras (as with "
        "load_model(compile=False)); pass --import MODULE that registers it to keep it"
    ]


@pytest.mark.parametrize("name", SLASHED)
def test_layer_names_with_a_slash_are_renamed_and_keep_their_weights(clones, name):
    result, model = clones[name]
    names = {layer.name for layer in model.layers}
    assert {"conv1_conv", "conv1_bn", "conv1_bn_1", "head_mlp"} <= names  # `conv1_bn` was taken
    assert [layer.name for layer in model.get_layer("head_mlp").layers] == ["fc_dense", "dense"]
    assert (
        "renamed 5 layer(s) with '/' in the name (Keras 3 rejects it): 'conv1/conv' -> 'conv1_conv', ..."
        in (result.plan.report.results[0].notes)
    )


@pytest.mark.parametrize("name", ["custom_loss_zip_tf214", "normalization_savedmodel_tf215"])
def test_clone_check_passes_on_the_files_that_needed_the_compile_and_width_fixes(name, tmp_path):
    result = invoke("clone", artifact(name), "-o", tmp_path / "out.keras", "--keep-weights", "--check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "check passed: 1 output(s) within" in result.stdout + result.stderr
