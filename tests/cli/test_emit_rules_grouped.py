"""`diff --emit-rules` says what it cannot express once per cause, with a count, not once per field."""

from __future__ import annotations

import json

import yaml

from modelcfg_cli import apply_rules
from modelcfg_cli.sources import read_document
from tests.helpers import invoke


def rewritten(tmp_path, source: str, rules: dict) -> str:
    """SOURCE's full config rewritten by `rules` (no Keras), as a JSON file."""
    config, _ = apply_rules(read_document(source).envelope, rules)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(config))
    return str(path)


def unexpressed(result) -> list[str]:
    prefix = "modelcfg: not expressible as a rule: "
    return [line[len(prefix) :] for line in result.stderr.splitlines() if line.startswith(prefix)]


def test_a_wrap_becomes_a_wrap_rule_that_gives_b_back(tmp_path):
    rules = {
        "rules": [
            {"match": {"class_name": "LSTM"}, "set": {"units": 12}, "wrap": {"class_name": "Bidirectional"}}
        ]
    }
    b = rewritten(tmp_path, "examples/tagger.keras", rules)
    result = invoke("diff", "examples/tagger.keras", b, "--emit-rules", tmp_path / "r.yaml")
    assert result.exit_code == 1 and unexpressed(result) == []
    emitted = yaml.safe_load((tmp_path / "r.yaml").read_text())
    rule = emitted["rules"][0]
    assert list(rule) == ["match", "set", "wrap"]  # the layer's own edits, then the wrapper
    assert rule["wrap"] == {"class_name": "Bidirectional"} and rule["set"]["units"] == 12
    (tmp_path / "again").mkdir()
    again = rewritten(tmp_path / "again", "examples/tagger.keras", emitted)
    assert invoke("diff", b, again).exit_code == 0


def test_the_same_cause_in_several_layers_is_counted(tmp_path):
    rules = {"rules": [{"match": {"class_name": "Conv2D"}, "replace": {"class_name": "SeparableConv2D"}}]}
    b = rewritten(tmp_path, "examples/classifier.keras", rules)
    result = invoke("diff", "examples/classifier.keras", b, "--emit-rules", tmp_path / "r.yaml")
    assert unexpressed(result) == ["class changed Conv2D -> SeparableConv2D: 2 layers (conv1, conv2)"]
    assert yaml.safe_load((tmp_path / "r.yaml").read_text()) == {"rules": []}


def test_added_layers_of_one_class_are_one_line(tmp_path):
    rules = {
        "rules": [
            {
                "match": {"class_name": "Conv2D"},
                "insert_after": {"class_name": "Dropout", "config": {"rate": 0.1}},
            },
            {
                "match": {"class_name": "Dense"},
                "insert_after": {"class_name": "Dropout", "config": {"rate": 0.1}},
            },
        ]
    }
    b = rewritten(tmp_path, "examples/classifier.keras", rules)
    result = invoke("diff", "examples/classifier.keras", b, "--emit-rules", tmp_path / "r.yaml")
    lines = unexpressed(result)
    added = [line for line in lines if line.startswith("added Dropout: ")]
    assert len(added) == 1 and added[0].startswith("added Dropout: 3 layers ("), lines
    assert not any(": added (Dropout" in line for line in lines)
