"""emit_rules.py: a diff turned into rules that, applied to A, give B (as far as rules can say it)."""

from __future__ import annotations

import json

from modelcfg_cli.diffing.diff import diff
from modelcfg_cli.diffing.emit_rules import emit_rules
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.rules.api import apply_rules
from modelcfg_cli.sources import read_document


def _round_trip(doc_a, doc_b):
    rules, unexpressed = emit_rules(diff(doc_a, doc_b), doc_a)
    rewritten, _ = apply_rules(doc_a.full(), rules)
    return diff(document_from_payload(rewritten, "a'"), doc_b), rules, unexpressed


def test_field_edits_renames_and_removals_round_trip(saved_models):
    doc_a = read_document(saved_models["sequential"]["keras"])
    edited = doc_a.full()
    layers = edited["config"]["layers"]
    layers[1]["config"]["name"] = "hidden"
    layers[3]["config"]["activation"] = "sigmoid"
    layers[3]["config"]["units"] = 3
    del layers[2]
    doc_b = document_from_payload(json.loads(json.dumps(edited)), "b")
    left, rules, unexpressed = _round_trip(doc_a, doc_b)
    assert [c.kind for c in left if c.kind != "changed" or c.path.split(".")[0] != "build_config"] == []
    assert {"match": {"name": "dense_1"}, "rename": "hidden"} in rules["rules"]
    assert not [line for line in unexpressed if "build_config" not in line]


def test_wrapped_layers_are_selected_through_their_wrapper(saved_models):
    doc_a = read_document(saved_models["rnn"]["keras"])
    edited = doc_a.full()
    tags = next(e for e in edited["config"]["layers"] if e["config"]["name"] == "tags")
    tags["config"]["layer"]["config"]["units"] = 7
    rules, _ = emit_rules(diff(doc_a, document_from_payload(edited, "b")), doc_a)
    assert {"match": {"name": "tags"}, "set": {"layer.config.units": 7}} in rules["rules"]


def test_what_rules_cannot_say_is_explained(saved_models):
    doc_a = read_document(saved_models["sequential"]["keras"])
    doc_b = read_document(saved_models["branches"]["keras"])
    _, unexpressed = emit_rules(diff(doc_a, doc_b), doc_a)
    assert unexpressed and all(isinstance(line, str) and line for line in unexpressed)
