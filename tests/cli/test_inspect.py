"""`modelcfg inspect` end to end."""

from __future__ import annotations

import json
from collections import Counter

from tests.helpers import assert_one_line_error, invoke


def test_inspect_json_counts_match_keras(saved_models):
    import keras

    path = saved_models["mobilenet"]["keras"]
    data = json.loads(invoke("inspect", "--format", "json", path).stdout)
    model = keras.saving.load_model(path)
    assert data["counts"] == dict(Counter(type(layer).__name__ for layer in model.layers))
    assert data["layer_count"] == len(model.layers)
    assert data["name"] == model.name and data["keras_version"] == keras.__version__


def test_inspect_rows_have_inbound_and_fields(saved_models):
    data = json.loads(invoke("inspect", "--format", "json", saved_models["branches"]["h5"]).stdout)
    rows = {row["name"]: row for row in data["layers"]}
    assert rows["concat"]["inbound"] == ["shared", "side"]
    assert rows["shared"]["inbound"] == ["left", "right"]
    assert rows["head"]["fields"]["units"] == 2
    assert rows["head"]["dtype_policy"] == "float32"


def test_inspect_nested_tree_and_depth(saved_models):
    path = saved_models["nested"]["keras"]
    data = json.loads(invoke("inspect", "--format", "json", path).stdout)
    paths = [row["path"] for row in data["layers"]]
    assert "inner_block/inner_dense" in paths and "encoder/enc_dense" in paths
    shallow = json.loads(invoke("inspect", "--format", "json", "--depth", "0", path).stdout)
    assert all(row["depth"] == 0 for row in shallow["layers"])
    text = invoke("inspect", path).stdout
    assert "  inner_dense" in text and "Functional 'nested'" in text


def test_inspect_wrapped_layers(saved_models):
    data = json.loads(invoke("inspect", "--format", "json", saved_models["rnn"]["keras"]).stdout)
    rows = {row["path"]: row for row in data["layers"]}
    assert rows["bilstm"]["fields"]["layer"] == "LSTM"
    assert rows["bilstm/forward_lstm"]["wrapped"] and rows["bilstm/backward_lstm"]["wrapped"]
    assert rows["tags/dense"]["class_name"] == "Dense"
    assert data["counts"]["LSTM"] == 1


def test_inspect_legacy_list_sequential(legacy_dir):
    data = json.loads(invoke("inspect", "--format", "json", legacy_dir["keras1_json"]).stdout)
    assert [row["name"] for row in data["layers"]] == ["dense_1", "dropout_1", "dense_2"]
    assert data["layers"][1]["inbound"] == ["dense_1"]


def test_inspect_bad_input(tmp_path):
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    assert_one_line_error(invoke("inspect", empty), str(empty), "empty")


def test_inspect_subclassed_model_without_layers(tmp_path):
    path = tmp_path / "vae.json"
    path.write_text(json.dumps({"module": "my_models", "class_name": "VAE", "config": {"latent": 8}}))
    result = invoke("inspect", path)
    assert result.exit_code == 0
    assert "VAE" in result.stdout and "no layer list" in result.stdout


def test_inspect_prints_names_with_brackets_verbatim(tmp_path):
    layers = [
        {
            "class_name": "InputLayer",
            "name": "[bold]in",
            "config": {"name": "[bold]in", "batch_shape": [None, 2]},
        },
        {"class_name": "Dense", "name": "d[0]", "config": {"name": "d[0]", "units": 3}},
    ]
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"name": "[red]m", "layers": layers}))
    text = invoke("--color", "always", "inspect", path).stdout
    for name in ("[bold]in", "d[0]", "'[red]m'"):
        assert name in text
