"""summary.py: what `inspect` shows, as data."""

from __future__ import annotations

from modelcfg_cli.sources import read_document
from modelcfg_cli.summary import dtype_policy_name, summarize


def test_counts_rows_and_depth(saved_models):
    doc = read_document(saved_models["nested"]["keras"])
    full = summarize(doc)
    assert full["class_name"] == "Functional" and full["name"] == "nested"
    assert full["keras_version"].startswith("3.") and full["format"] == "keras-zip"
    assert [row["name"] for row in full["layers"]][:2] == ["features", "encoder"]
    assert full["layer_count"] == sum(full["counts"].values()) == len(full["layers"])
    top = summarize(doc, depth=0)
    assert all(row["depth"] == 0 for row in top["layers"]) and len(top["layers"]) < len(full["layers"])


def test_key_fields_and_wrapped_layers(saved_models):
    rows = {row["name"]: row for row in summarize(read_document(saved_models["rnn"]["keras"]))["layers"]}
    assert rows["embed"]["fields"]["input_dim"] == 50 and rows["lstm_2"]["fields"]["units"] == 5
    assert rows["lstm_2"]["inbound"] == ["bilstm"]
    wrapped = [row for row in rows.values() if row["wrapped"]]
    assert wrapped and all(row["depth"] == 1 for row in wrapped)
    assert "TimeDistributed" in summarize(read_document(saved_models["rnn"]["keras"]))["counts"]


def test_dtype_policy_name_of_every_form():
    policy = {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}
    assert dtype_policy_name({"dtype": policy}) == "mixed_float16"
    assert dtype_policy_name({"dtype": "float32"}) == "float32"
    assert dtype_policy_name({}) is None
