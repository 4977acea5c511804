"""`modelcfg dump` end to end, against what Keras's get_config() says."""

from __future__ import annotations

import json

import pytest
import yaml

from modelcfg_cli.document import parse_inbound_nodes
from tests.helpers import assert_one_line_error, invoke

MODELS = ["sequential", "branches", "nested", "rnn", "lambda", "mobilenet"]
FORMATS = ["keras", "h5", "dir", "json", "yaml", "config"]
LEGACY_DROPPED = ("module", "registered_name", "build_config", "compile_config")


def legacy_view(config):
    """A config as Keras's legacy .h5 writer stores it: per-layer module, registered_name,
    build_config and compile_config dropped (Keras re-derives them on load), inbound edges as
    plain tuples."""
    if isinstance(config, list):
        return [legacy_view(item) for item in config]
    if not isinstance(config, dict):
        return config
    view = {}
    for key, value in config.items():
        if key in LEGACY_DROPPED and "class_name" in config:
            continue
        if key == "inbound_nodes":
            value = [[tuple(edge) for edge in node] for node in parse_inbound_nodes(value)]
        view[key] = legacy_view(value)
    return view


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODELS)
def test_dump_equals_get_config(saved_models, name, fmt):
    result = invoke("dump", saved_models[name][fmt])
    assert result.exit_code == 0, result.stderr
    expected = saved_models[name]["expected"]
    if fmt == "h5":
        assert legacy_view(json.loads(result.stdout)) == legacy_view(expected)
    else:
        assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("name", ["nested", "rnn", "mobilenet"])
def test_dump_equals_load_model_get_config(saved_models, name):
    import keras

    loaded = keras.saving.load_model(saved_models[name]["keras"], safe_mode=False)
    expected = json.loads(json.dumps(loaded.get_config()))
    assert json.loads(invoke("dump", saved_models[name]["keras"]).stdout) == expected


@pytest.mark.parametrize("name", ["nested", "rnn", "branches"])
def test_dump_h5_equals_load_model_get_config(saved_models, name):
    """(A Lambda is left out: Keras re-marshals its bytecode on load.)"""
    import keras

    legacy = keras.saving.load_model(saved_models[name]["h5"])
    dumped = json.loads(invoke("dump", saved_models[name]["h5"]).stdout)
    assert legacy_view(dumped) == legacy_view(json.loads(json.dumps(legacy.get_config())))


def test_dump_full_keeps_envelope(saved_models):
    data = json.loads(invoke("dump", "--full", saved_models["sequential"]["keras"]).stdout)
    assert data["class_name"] == "Sequential"
    assert {"module", "config", "registered_name", "build_config"} <= set(data)


def test_dump_yaml_sorted_indented(saved_models):
    result = invoke("dump", "--format", "yaml", "--sort-keys", saved_models["sequential"]["keras"])
    assert yaml.safe_load(result.stdout) == saved_models["sequential"]["expected"]
    compact = invoke("dump", "--indent", "0", "--sort-keys", saved_models["sequential"]["keras"])
    assert len(compact.stdout.strip().splitlines()) == 1
    keys = list(json.loads(compact.stdout))
    assert keys == sorted(keys)


def test_dump_layer_finds_nested_and_wrapped(saved_models):
    inner = json.loads(invoke("dump", "--layer", "inner_dense", saved_models["nested"]["keras"]).stdout)
    assert inner["class_name"] == "Dense" and inner["config"]["units"] == 3
    by_path = invoke("dump", "--layer", "encoder/enc_dense", saved_models["nested"]["h5"])
    assert json.loads(by_path.stdout)["config"]["units"] == 6
    wrapped = invoke("dump", "--layer", "bilstm", saved_models["rnn"]["keras"])
    assert json.loads(wrapped.stdout)["config"]["layer"]["class_name"] == "LSTM"


def test_dump_unknown_layer_suggests(saved_models):
    result = invoke("dump", "--layer", "inner_dens", saved_models["nested"]["keras"])
    assert_one_line_error(result, "no layer named 'inner_dens'", "inner_dense")


def test_dump_pointer(saved_models):
    result = invoke("dump", "--pointer", "/layers/1/config/units", saved_models["sequential"]["keras"])
    assert json.loads(result.stdout) == 8
    missing = invoke("dump", "--pointer", "/layers/99", saved_models["sequential"]["keras"])
    assert_one_line_error(missing, "/layers/99")


def test_dump_metadata(saved_models):
    import keras

    data = json.loads(invoke("dump", "--metadata", saved_models["sequential"]["keras"]).stdout)
    assert data["keras_version"] == keras.__version__
    assert data["format"] == "keras-zip" and "date_saved" in data
    h5 = json.loads(invoke("dump", "--metadata", saved_models["sequential"]["h5"]).stdout)
    assert h5["format"] == "h5" and h5["keras_version"] == keras.__version__


def test_dump_output_file_atomic(saved_models, tmp_path):
    out = tmp_path / "cfg.json"
    result = invoke("dump", saved_models["rnn"]["keras"], "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text()) == saved_models["rnn"]["expected"]
    assert [p.name for p in tmp_path.iterdir()] == ["cfg.json"]


def test_dump_refuses_to_overwrite_input(saved_models, tmp_path):
    source = tmp_path / "model.json"
    source.write_text(open(saved_models["sequential"]["json"]).read())
    before = source.read_bytes()
    result = invoke("dump", source, "-o", source)
    assert_one_line_error(result, "overwrite the input")
    assert source.read_bytes() == before


def test_dump_output_into_missing_folder(saved_models, tmp_path):
    result = invoke("dump", saved_models["sequential"]["json"], "-o", tmp_path / "nope" / "x.json")
    assert_one_line_error(result, "does not exist")


def test_dump_stdin(saved_models):
    text = open(saved_models["branches"]["json"]).read()
    result = invoke("dump", "-", input=text)
    assert json.loads(result.stdout) == saved_models["branches"]["expected"]
    binary = open(saved_models["branches"]["keras"], "rb").read()
    assert json.loads(invoke("dump", "-", input=binary).stdout) == saved_models["branches"]["expected"]


def test_dump_legacy(legacy_dir):
    for key in ("keras2_json", "keras2_double", "keras2_yaml", "keras2_h5"):
        data = json.loads(invoke("dump", legacy_dir[key]).stdout)
        assert [layer["name"] for layer in data["layers"]] == ["input_1", "dense_1", "dense_2"]
    keras1 = json.loads(invoke("dump", legacy_dir["keras1_json"]).stdout)
    assert [layer["config"]["name"] for layer in keras1] == ["dense_1", "dropout_1", "dense_2"]
    meta = json.loads(invoke("dump", "--metadata", legacy_dir["keras1_json"]).stdout)
    assert meta["keras_version"] == "1.2.2"


APPLICATIONS = {
    "ResNet50": {"input_shape": (64, 64, 3)},
    "EfficientNetB0": {"input_shape": (64, 64, 3)},
    "DenseNet121": {"input_shape": (64, 64, 3)},
    "ConvNeXtTiny": {"input_shape": (64, 64, 3)},
    "NASNetMobile": {"input_shape": (64, 64, 3)},
}


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_dump_equals_load_model_for_applications(tmp_path, name):
    """Architectures nobody here wrote: dump of the saved .keras equals Keras's own get_config()."""
    import keras

    builder = getattr(keras.applications, name)
    path = tmp_path / f"{name}.keras"
    builder(weights=None, classes=10, **APPLICATIONS[name]).save(path)
    expected = json.loads(json.dumps(keras.saving.load_model(path).get_config()))
    assert json.loads(invoke("dump", path).stdout) == expected
