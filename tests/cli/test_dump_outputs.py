"""`dump` writes what was asked: the format -o's extension names, one layer only when the name is unique,
and metadata that says what the file does not store."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.helpers import assert_one_line_error, invoke

EXAMPLE = "examples/classifier.keras"


@pytest.mark.parametrize("name", ["out.yaml", "out.yml", "OUT.YAML"])
def test_output_extension_picks_yaml(tmp_path, name):
    out = tmp_path / name
    result = invoke("dump", EXAMPLE, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert not text.lstrip().startswith("{")
    assert yaml.safe_load(text)["name"] == "classifier"


def test_output_extension_json_and_unknown_default_to_json(tmp_path):
    for name in ("out.json", "out.txt"):
        assert invoke("dump", EXAMPLE, "-o", tmp_path / name).exit_code == 0
        assert json.loads((tmp_path / name).read_text())["name"] == "classifier"
    assert invoke("dump", EXAMPLE, "--format", "yaml", "-o", tmp_path / "x.txt").exit_code == 0
    assert yaml.safe_load((tmp_path / "x.txt").read_text())["name"] == "classifier"


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path):
    out = tmp_path / "x.yaml"
    result = invoke("dump", EXAMPLE, "--format", "json", "-o", out)
    assert_one_line_error(result, "x.yaml", "--format json contradicts")
    assert not out.exists()


@pytest.fixture(scope="module")
def twin_dense(tmp_path_factory):
    """Two nested models, each holding a layer called `dense`."""
    import keras

    def block(name):
        inp = keras.Input((4,), name=f"{name}_in")
        return keras.Model(inp, keras.layers.Dense(3, name="dense")(inp), name=name)

    x = keras.Input((4,), name="x")
    model = keras.Model(x, [block("outer")(x), block("inner")(x)], name="twins")
    path = tmp_path_factory.mktemp("twins") / "twins.keras"
    model.save(path)
    return path


def test_an_ambiguous_layer_name_lists_the_paths(twin_dense):
    result = invoke("dump", twin_dense, "--layer", "dense")
    assert_one_line_error(result, "2 layers are named 'dense'", "outer/dense", "inner/dense")
    assert result.stdout == ""


def test_a_full_path_selects_one_layer(twin_dense):
    for path in ("outer/dense", "inner/dense"):
        result = invoke("dump", twin_dense, "--layer", path)
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["config"]["units"] == 3


def test_metadata_says_the_backend_is_not_stored(saved_models):
    data = json.loads(invoke("dump", "--metadata", saved_models["sequential"]["keras"]).stdout)
    assert data["backend"] == "not stored"
    h5 = json.loads(invoke("dump", "--metadata", saved_models["sequential"]["h5"]).stdout)
    assert h5["backend"] == "numpy"
