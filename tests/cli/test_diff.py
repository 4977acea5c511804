"""`modelcfg diff` end to end: exit codes, the three formats, --stat, ignore options, --emit-rules, errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.model_edits import envelope_of, find, remove_layer, rename_layer

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture()
def edited(saved_models, tmp_path) -> str:
    """The sequential model with dense_1 units 8 -> 9, dropout_1 removed and dense_2 renamed head."""
    envelope = envelope_of(saved_models, "sequential")
    find(envelope, "dense_1")["config"]["units"] = 9
    remove_layer(envelope, "dropout_1")
    rename_layer(envelope, "dense_2", "head")
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(envelope))
    return str(path)


@pytest.mark.parametrize("fmt", ["h5", "dir", "json", "yaml", "config"])
def test_same_model_in_two_formats_exits_0(saved_models, fmt):
    result = invoke("diff", saved_models["nested"]["keras"], saved_models["nested"][fmt])
    assert result.exit_code == 0, result.output
    assert "are equal (8 layers)" in result.stdout


def test_differences_exit_1_and_exit_zero(saved_models, edited):
    assert invoke("diff", saved_models["sequential"]["keras"], edited).exit_code == 1
    assert invoke("diff", "--exit-zero", saved_models["sequential"]["keras"], edited).exit_code == 0


def test_text_is_grouped_by_layer_and_plain_when_piped(saved_models, edited):
    result = invoke("diff", saved_models["sequential"]["keras"], edited)
    assert "\x1b[" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "dense_1",
        "  units: 8 -> 9",
        "dropout_1",
        "  removed: Dropout, from dense_1",
        "dense_2",
        "  renamed: dense_2 -> head",
    ]
    assert lines[-1].endswith("differ: 1 renamed, 1 removed, 1 changed field in 3 layers")


def test_color_always_and_never(saved_models, edited):
    colored = invoke("--color", "always", "diff", saved_models["sequential"]["keras"], edited)
    assert "\x1b[" in colored.stdout
    plain = invoke("--color", "never", "diff", saved_models["sequential"]["keras"], edited)
    assert "\x1b[" not in plain.stdout


def test_json_shape(saved_models, edited):
    result = invoke("diff", "--format", "json", saved_models["sequential"]["keras"], edited)
    data = json.loads(result.stdout)
    assert set(data) == {"equal", "summary", "changes"}
    assert data["equal"] is False
    assert data["changes"][0] == {"kind": "changed", "layer": "dense_1", "path": "units", "old": 8, "new": 9}
    assert [c["kind"] for c in data["changes"]] == ["changed", "removed", "renamed"]
    assert all(set(c) == {"kind", "layer", "path", "old", "new"} for c in data["changes"])
    assert data["summary"]["renamed"] == 1 and data["summary"]["layers"] == {"a": 4, "b": 3}


def test_json_equal(saved_models):
    result = invoke("diff", "--format", "json", saved_models["rnn"]["keras"], saved_models["rnn"]["h5"])
    data = json.loads(result.stdout)
    assert data["equal"] is True and data["changes"] == []


def test_markdown(saved_models, edited):
    result = invoke("diff", "--format", "markdown", saved_models["sequential"]["keras"], edited)
    text = result.stdout
    assert text.startswith("### modelcfg diff: `")
    assert "**Different**: 1 renamed, 1 removed, 1 changed field in 3 layers" in text
    assert "| renamed | 1 |" in text
    assert "#### `dense_1`" in text
    assert "| changed | `units` | `8` | `9` |" in text


def test_stat(saved_models, edited):
    text = invoke("diff", "--stat", saved_models["sequential"]["keras"], edited).stdout
    assert text.splitlines()[:3] == [
        "dense_1   | 1 changed",
        "dropout_1 | 1 removed",
        "dense_2   | 1 renamed",
    ]
    data = json.loads(
        invoke("diff", "--stat", "--format", "json", saved_models["sequential"]["keras"], edited).stdout
    )
    assert set(data) == {"equal", "summary"}
    markdown = invoke(
        "diff", "--stat", "--format", "markdown", saved_models["sequential"]["keras"], edited
    ).stdout
    assert "| changed | 1 |" in markdown and "####" not in markdown


def test_ignore_and_ignore_names(saved_models, tmp_path):
    envelope = envelope_of(saved_models, "branches")
    find(envelope, "side")["config"]["kernel_initializer"]["config"]["seed"] = 5
    for old in ("shared", "side"):
        rename_layer(envelope, old, f"{old}_3")
    path = tmp_path / "b.json"
    path.write_text(json.dumps(envelope))
    source = saved_models["branches"]["keras"]
    assert invoke("diff", source, str(path), "--ignore-names").exit_code == 1
    assert invoke("diff", source, str(path), "--ignore-names", "--ignore", "*.seed").exit_code == 0


def test_emit_rules(saved_models, edited, tmp_path):
    out = tmp_path / "rules.yaml"
    result = invoke("diff", saved_models["sequential"]["keras"], edited, "--emit-rules", str(out))
    assert result.exit_code == 1
    rules = yaml.safe_load(out.read_text())
    assert rules == {
        "rules": [
            {"match": {"name": "dense_1"}, "set": {"units": 9}},
            {"match": {"name": "dropout_1"}, "remove": True},
            {"match": {"name": "dense_2"}, "rename": "head"},
        ]
    }
    assert "wrote 3 rule(s)" in result.stderr


def test_emit_rules_says_what_it_cannot_express(saved_models, tmp_path):
    a = envelope_of(saved_models, "sequential")
    remove_layer(a, "dropout_1")
    path_a = tmp_path / "a.json"
    path_a.write_text(json.dumps(a))
    out = tmp_path / "rules.yaml"
    result = invoke("diff", str(path_a), saved_models["sequential"]["keras"], "--emit-rules", str(out))
    assert "not expressible as a rule: dropout_1: added (Dropout, inputs: dense_1)" in result.stderr
    assert yaml.safe_load(out.read_text()) == {"rules": []}


def test_emit_rules_never_overwrites_an_input(saved_models, edited):
    result = invoke("diff", saved_models["sequential"]["keras"], edited, "--emit-rules", edited)
    assert_one_line_error(result, "edited.json", "overwrite the input")


def test_emit_rules_into_a_missing_folder(saved_models, edited, tmp_path):
    out = tmp_path / "nowhere" / "rules.yaml"
    result = invoke("diff", saved_models["sequential"]["keras"], edited, "--emit-rules", str(out))
    assert_one_line_error(result, "rules.yaml", "does not exist")
    assert result.stdout == ""


def test_stdin_as_one_side(saved_models):
    text = Path(saved_models["rnn"]["json"]).read_text()
    assert invoke("diff", saved_models["rnn"]["keras"], "-", input=text).exit_code == 0
    assert_one_line_error(invoke("diff", "-", "-", input=text), "both be -")


def test_missing_file(saved_models, tmp_path):
    missing = str(tmp_path / "nope.keras")
    assert_one_line_error(invoke("diff", saved_models["rnn"]["keras"], missing), "nope.keras", "no such file")


def test_bad_file(saved_models, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"layers": ')
    assert_one_line_error(invoke("diff", str(bad), saved_models["rnn"]["keras"]), "bad.json", "invalid JSON")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    assert_one_line_error(invoke("diff", saved_models["rnn"]["keras"], str(other)), "other.json")


def test_shipped_example_variant():
    result = invoke(
        "diff", "--format", "json", EXAMPLES / "classifier.keras", EXAMPLES / "classifier_v2.json"
    )
    found = {(c["kind"], c["layer"], c["path"]) for c in json.loads(result.stdout)["changes"]}
    assert found == {
        ("model", None, "name"),
        ("renamed", "conv1", None),
        ("changed", "conv2", "filters"),
        ("changed", "dropout", "rate"),
        ("changed", "predictions", "kernel_regularizer"),
        ("changed", "predictions", "build_config.input_shape"),
    }


def test_diff_does_not_import_keras(saved_models, tmp_path):
    envelope = copy.deepcopy(envelope_of(saved_models, "nested"))
    find(envelope, "score")["config"]["units"] = 2
    path = tmp_path / "b.json"
    path.write_text(json.dumps(envelope))
    args = ["diff", saved_models["nested"]["keras"], str(path), "--emit-rules", str(tmp_path / "r.yaml")]
    for fmt in ("text", "json", "markdown"):
        run_without_keras(*args, "--format", fmt, exit_code=1)  # they differ


def test_ignore_new_fields_hides_defaults_a_newer_keras_writes(saved_models, tmp_path):
    """A file saved by an older Keras 3 lacks fields the newer one writes with empty defaults."""
    older = copy.deepcopy(envelope_of(saved_models, "sequential"))
    dense = find(older, "dense_1")["config"]
    del dense["quantization_config"]
    del dense["kernel_initializer"]["config"]["input_axes"]
    find(older, "dense_2")["config"].pop("quantization_config")
    path = tmp_path / "older.json"
    path.write_text(json.dumps(older))
    newer = saved_models["sequential"]["keras"]
    noisy = json.loads(invoke("diff", "--verbose", "--format", "json", path, newer).stdout)
    assert {c["path"] for c in noisy["changes"]} == {
        "quantization_config",
        "kernel_initializer.config.input_axes",
    }
    folded = json.loads(invoke("diff", "--format", "json", path, newer).stdout)
    assert folded["changes"] == [] and folded["summary"]["default_only"] == 3
    assert invoke("diff", "--ignore-new-fields", path, newer).exit_code == 0
    dense["units"] = 99
    path.write_text(json.dumps(older))
    real = json.loads(invoke("diff", "--ignore-new-fields", "--format", "json", path, newer).stdout)
    assert [(c["layer"], c["path"]) for c in real["changes"]] == [("dense_1", "units")]
