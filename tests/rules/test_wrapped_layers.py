"""Rules reach the layers inside wrappers by class and by the paths inspect prints (`bigru/forward_gru`);
an edit of a Bidirectional's layer changes both directions; Keras builds what the rules wrote."""

from __future__ import annotations

import json
import warnings

import pytest

from modelcfg_cli import apply_rules
from tests.helpers import invoke


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory) -> str:
    """Bidirectional(GRU) then TimeDistributed(Dense), saved by Keras."""
    import keras

    warnings.filterwarnings("ignore")
    tokens = keras.Input((7, 3), name="seq")
    x = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True, name="gru"), name="bigru")(
        tokens
    )
    x = keras.layers.TimeDistributed(keras.layers.Dense(2, name="proj"), name="tagger")(x)
    path = tmp_path_factory.mktemp("wrapped") / "wrapped.keras"
    keras.Model(tokens, x, name="wrapped").save(path)
    return str(path)


def envelope_of(path: str) -> dict:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def selected(path: str, match: dict, action: dict | None = None) -> list[str]:
    _, report = apply_rules(envelope_of(path), {"rules": [{"match": match, **(action or {"freeze": True})}]})
    return list(report.results[0].matched)


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({"class_name": "GRU"}, ["bigru/forward_gru", "bigru/backward_gru"]),
        ({"path": "bigru/forward_gru"}, ["bigru/forward_gru"]),
        ({"path": "bigru/*"}, ["bigru/forward_gru", "bigru/backward_gru"]),
        ({"class_name": "Dense"}, ["tagger/proj"]),
        ({"name": "proj"}, ["tagger/proj"]),
        ({"class_name": "Bidirectional"}, ["bigru"]),
    ],
)
def test_inner_layers_are_selected_by_class_and_printed_path(wrapped, match, expected):
    assert selected(wrapped, match) == expected


def test_inspect_prints_the_paths_rules_select(wrapped):
    result = invoke("inspect", "--format=json", wrapped)
    paths = {row["path"] for row in json.loads(result.stdout)["layers"]}
    assert {"bigru/forward_gru", "bigru/backward_gru", "tagger/proj"} <= paths


def test_set_on_one_direction_changes_both(wrapped):
    new, _ = apply_rules(
        envelope_of(wrapped), {"rules": [{"match": {"path": "bigru/forward_gru"}, "set": {"units": 8}}]}
    )
    bigru = next(layer for layer in new["config"]["layers"] if layer["name"] == "bigru")
    assert bigru["config"]["layer"]["config"]["units"] == 8
    assert bigru["config"]["backward_layer"]["config"]["units"] == 8
    assert "build_config" not in bigru  # its output shape changed


def test_actions_that_rewire_do_not_reach_inside_wrappers(wrapped):
    assert selected(wrapped, {"class_name": "GRU"}, {"rename": "{name}_v2"}) == []
    assert selected(wrapped, {"class_name": "Dense"}, {"remove": True}) == []


def test_clone_result_is_what_keras_builds(wrapped, tmp_path):
    import keras

    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - match: {class_name: GRU}\n    set: {units: 8}\n"
        "  - match: {path: bigru/backward_gru}\n    set: {dropout: 0.25}\n"
        "  - match: {class_name: Dense}\n    set: {units: 3, use_bias: false}\n"
    )
    out = tmp_path / "out.keras"
    result = invoke("clone", wrapped, "-o", out, "--rules", rules)
    assert result.exit_code == 0, result.stderr
    model = keras.saving.load_model(out)
    bigru, tagger = model.get_layer("bigru"), model.get_layer("tagger")
    for direction in (bigru.forward_layer, bigru.backward_layer):
        assert direction.get_config()["units"] == 8 and direction.get_config()["dropout"] == 0.25
    assert tagger.layer.get_config()["units"] == 3 and not tagger.layer.get_config()["use_bias"]
    assert model.output_shape == (None, 7, 3)
