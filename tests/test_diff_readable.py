"""Diffs that read well: a wrapped layer is one change, default-only fields fold into a count line."""

from __future__ import annotations

import copy
import json

import pytest

from modelcfg_cli.diffing.diff import MISSING, Change, diff
from modelcfg_cli.sources import read_document
from tests.helpers import invoke
from tests.model_edits import as_doc, envelope_of, find


@pytest.fixture(scope="module")
def lstm_and_bidirectional(tmp_path_factory) -> tuple[str, str]:
    """The same tagger saved by Keras twice: `lstm_2` a plain LSTM(5), then Bidirectional(LSTM(5))."""
    import keras

    folder = tmp_path_factory.mktemp("wrap")

    def build(wrapped: bool):
        tokens = keras.Input((10,), dtype="int32", name="tokens")
        x = keras.layers.Embedding(50, 8, name="embed")(tokens)
        rnn = keras.layers.LSTM(5, return_sequences=True, name="forward_lstm_2" if wrapped else "lstm_2")
        x = (keras.layers.Bidirectional(rnn, name="lstm_2") if wrapped else rnn)(x)
        x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
        return keras.Model(tokens, x, name="tagger")

    paths = str(folder / "lstm.keras"), str(folder / "bidirectional.keras")
    build(False).save(paths[0])
    build(True).save(paths[1])
    return paths


def test_wrapping_a_layer_is_one_change_on_that_layer(lstm_and_bidirectional):
    doc_a, doc_b = (read_document(path) for path in lstm_and_bidirectional)
    changes = diff(doc_a, doc_b)
    assert changes[0] == Change("wrapped", "lstm_2", None, "LSTM", "Bidirectional(LSTM)")
    assert {change.layer for change in changes} == {"lstm_2"}
    assert all(change.kind in ("wrapped", "changed") for change in changes)
    assert [c.kind for c in diff(doc_b, doc_a)][:1] == ["unwrapped"]


def test_a_wrapped_layer_s_own_edits_are_listed_under_it(saved_models, lstm_and_bidirectional):
    doc_a = read_document(lstm_and_bidirectional[0])
    envelope = read_document(lstm_and_bidirectional[1]).full()
    find(envelope, "lstm_2")["config"]["layer"]["config"]["units"] = 7
    changes = diff(doc_a, as_doc(envelope))
    assert Change("changed", "lstm_2", "units", 5, 7) in changes


def test_wrapping_in_text(lstm_and_bidirectional):
    result = invoke("diff", *lstm_and_bidirectional)
    assert result.exit_code == 1
    assert "lstm_2\n  wrapped: in Bidirectional (LSTM -> Bidirectional(LSTM))\n" in result.stdout
    assert "added" not in result.stdout


@pytest.fixture()
def with_defaults(saved_models, tmp_path) -> tuple[str, str]:
    """The sequential model, and a copy where dense_1 gains two null fields and one real change, and
    dense_2 loses its (null) kernel_regularizer, as a Keras 2 file and its Keras 3 clone differ."""
    a = envelope_of(saved_models, "sequential")
    b = copy.deepcopy(a)
    find(b, "dense_1")["config"]["time_major"] = None
    find(b, "dense_1")["config"]["legacy_flag"] = False
    find(b, "dense_1")["config"]["units"] = 9
    del find(b, "dense_2")["config"]["kernel_regularizer"]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(b))
    return saved_models["sequential"]["keras"], str(path)


def test_default_only_differences_fold_into_one_count(with_defaults):
    result = invoke("diff", *with_defaults)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == ["dense_1", "  units: 8 -> 9"]
    assert "time_major" not in result.stdout and "kernel_regularizer" not in result.stdout
    assert result.stdout.rstrip().endswith(
        "differ: 1 changed field in 1 layer; 3 default-only fields (not listed; --verbose lists them)"
    )
    verbose = invoke("diff", *with_defaults, "--verbose").stdout
    assert (
        "  time_major: (absent) -> null\n" in verbose
        and "  kernel_regularizer: null -> (absent)\n" in verbose
    )
    assert verbose.rstrip().endswith("differ: 4 changed fields in 2 layers")


def test_default_only_in_json_and_when_nothing_else_differs(with_defaults, saved_models, tmp_path):
    data = json.loads(invoke("diff", *with_defaults, "--format", "json").stdout)
    assert data["summary"]["default_only"] == 3 and data["summary"]["changed"] == 1
    assert [(c["layer"], c["path"]) for c in data["changes"]] == [("dense_1", "units")]
    envelope = envelope_of(saved_models, "sequential")
    find(envelope, "dense_1")["config"]["time_major"] = None
    only = tmp_path / "only.json"
    only.write_text(json.dumps(envelope))
    result = invoke("diff", saved_models["sequential"]["keras"], str(only))
    assert result.exit_code == 1
    assert result.stdout.endswith("differ only in 1 default-only field (not listed; --verbose lists them)\n")
    data = json.loads(
        invoke("diff", saved_models["sequential"]["keras"], str(only), "--format", "json").stdout
    )
    assert data["equal"] is False and data["changes"] == []
    assert (
        invoke("diff", saved_models["sequential"]["keras"], str(only), "--ignore-new-fields").exit_code == 0
    )


def test_is_default_only_is_about_empty_one_sided_values():
    from modelcfg_cli.diffing.diff import is_default_only

    assert is_default_only(Change("changed", "d", "x", MISSING, None))
    assert is_default_only(Change("changed", "d", "x", [], MISSING))
    assert not is_default_only(Change("changed", "d", "x", MISSING, 0.5))
    assert not is_default_only(Change("changed", "d", "x", None, False))
