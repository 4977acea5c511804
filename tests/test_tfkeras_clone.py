"""tf.keras-era files cloned into Keras 3 with their weights: every committed fixture (SavedModel folders,
tf.keras zips, .h5 with TensorFlow ops, a Teachable-Machine-shaped keras_model.h5, model.json pairs)
must compute what tf.keras computed when it saved it, with every weight carried."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from modelcfg_cli.sources import read_source
from modelcfg_cli.weights.stored import read_weights
from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.tf_fixtures.fixtures import (
    DATA,
    artifact,
    assert_same_weights,
    clone_each,
    expected_weights,
    outputs,
    reference,
)

CLONED = (
    "mlp_savedmodel",
    "lstm_savedmodel",
    "conv_residual_savedmodel",
    "tf_ops_savedmodel",
    "bidirectional_savedmodel",
    "mlp_zip",
    "bidirectional_zip",
    "tf_ops_h5",
    "tf_ops_more_h5",
    "teachable_machine_h5",
    "json_pair",
    "json_legacy_pair",
)


@pytest.fixture(scope="session")
def clones(tmp_path_factory) -> dict:
    """{fixture: (CloneResult, the clone loaded by Keras 3)}, each cloned once with --keep-weights."""
    return clone_each(CLONED, tmp_path_factory.mktemp("tfkeras_clones"))


@pytest.mark.parametrize("name", CLONED)
def test_clone_computes_what_tf_keras_computed(clones, name):
    got, expected = outputs(clones[name][1], name)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-4


@pytest.mark.parametrize("name", CLONED)
def test_every_weight_is_carried(clones, name):
    result, model = clones[name]
    wanted = reference(name)
    assert len(model.weights) == len(wanted["weights"])
    assert sum(int(np.prod(w["shape"])) for w in wanted["weights"]) == model.count_params()
    tensors, layers = len(wanted["weights"]), len(wanted["layers"])
    assert result.notes[0] == f"weights: kept {tensors} of {tensors} tensors in {layers} layers"


@pytest.mark.parametrize("name", ["tf_ops_savedmodel", "tf_ops_h5", "tf_ops_more_h5"])
def test_op_layers_become_built_in_layers_that_plain_keras_loads(clones, name):
    result, model = clones[name]
    assert not [layer for layer in model.layers if "OpLambda" in type(layer).__name__]
    x0 = DATA / name / "reference.npz"
    code = (
        "import sys, numpy as np, keras\n"
        f"m = keras.saving.load_model({result.out!r}, compile=False)\n"
        f"y = m.predict(np.load({str(x0)!r})['x0'], verbose=0)\n"
        "assert not [n for n in sys.modules if n.startswith('modelcfg')]\n"
        "print(float(np.abs(y - np.load(" + repr(str(x0)) + ")['y0']).max()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) <= 1e-4


def test_an_op_no_built_in_computes_is_refused_in_one_line(tmp_path):
    out = tmp_path / "out.keras"
    result = invoke("clone", artifact("tf_ops_unsupported_h5"), "-o", out, "--keep-weights")
    assert_one_line_error(result, "model.h5: layer 'tf.math.cumsum'", "calls tf.math.cumsum", "no Keras 3")
    assert not out.exists()
    assert_one_line_error(invoke("dump", "--upgrade", artifact("tf_ops_unsupported_h5")), "tf.math.cumsum")


def test_nested_models_in_a_keras2_h5_are_keyed_by_inner_layer():
    weights = read_weights(str(artifact("teachable_machine_h5")))
    assert "sequential_1/model1/Conv1" in weights
    assert_same_weights(weights, expected_weights("teachable_machine_h5"))


@pytest.mark.parametrize("name", ["json_pair", "json_legacy_pair"])
def test_a_json_and_weights_folder_reads_as_one_model(name):
    raw = read_source(str(artifact(name)))
    assert raw.format == "json+weights"
    assert raw.payload["config"] == json.loads((artifact(name) / "model.json").read_text())["config"]
    assert_same_weights(read_weights(str(artifact(name))), expected_weights(name))


def test_a_folder_with_more_than_the_pair_is_not_a_pair(tmp_path):
    for file in ("model.json", "weights.h5", "notes.json"):
        (tmp_path / file).write_text("{}")
    assert_one_line_error(invoke("dump", tmp_path), "no config.json")


def test_clone_weights_option_takes_the_weights_from_a_file(tmp_path):
    pair = artifact("json_legacy_pair")
    out = tmp_path / "out.keras"
    result = invoke("clone", pair / "model.json", "--weights", pair / "weights.h5", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "weights: kept 10 of 10 tensors in 4 layers" in result.stdout
    import keras

    got, expected = outputs(keras.saving.load_model(out, compile=False), "json_legacy_pair")
    assert np.abs(got - expected).max() <= 1e-4


def test_clone_weights_option_refuses_a_missing_file(tmp_path):
    pair = artifact("json_legacy_pair")
    result = invoke(
        "clone", pair / "model.json", "--weights", tmp_path / "nope.h5", "-o", tmp_path / "o.keras"
    )
    assert_one_line_error(result, "nope.h5: no such file or directory")


def test_inspect_names_tf_keras_and_the_savedmodel_format():
    out = run_without_keras("inspect", str(artifact("lstm_savedmodel")))
    assert out.splitlines()[0] == "Sequential 'forecaster'  tf.keras 2.15.0  format SavedModel  5 layers"
    assert "  keras 2.15.0  format json+weights" in run_without_keras("inspect", str(artifact("json_pair")))


def test_tf_keras_module_paths_and_policies_mark_a_config_for_the_upgrade():
    from modelcfg_cli.document import ModelDocument
    from modelcfg_cli.legacy.upgrade import needs_upgrade

    def dense(dtype):
        return {"module": "keras.layers", "class_name": "Dense", "config": {"units": 1, "dtype": dtype}}

    def model(module, dtype):
        return {"module": module, "class_name": "Sequential", "config": {"layers": [dense(dtype)]}}

    policy = {"module": "keras.mixed_precision", "class_name": "Policy", "config": {"name": "float32"}}
    keras3 = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
    assert needs_upgrade(ModelDocument(model("keras.src.engine.sequential", keras3), {}, "a"))
    assert needs_upgrade(ModelDocument(model("keras", policy), {}, "b"))
    assert not needs_upgrade(ModelDocument(model("keras", keras3), {}, "c"))


def test_validate_upgrade_reports_an_unsupported_op_as_that_file_s_trouble():
    result = invoke("validate", "--upgrade", artifact("tf_ops_unsupported_h5"), artifact("tf_ops_h5"))
    assert result.exit_code == 2
    assert "layer 'tf.math.cumsum' calls tf.math.cumsum" in result.stdout + result.stderr
