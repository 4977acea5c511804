"""`diff --ignore-names` ignores the model's own name too (documented in the README): without it a
renamed model is reported."""

from __future__ import annotations

import json

from tests.helpers import invoke

README = open("README.md", encoding="utf-8").read()


def test_ignore_names_hides_the_model_name_and_says_so(tmp_path):
    a = "examples/classifier.keras"
    data = json.loads(invoke("dump", a, "--full").stdout)
    data["config"]["name"] = "classifier_renamed"
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data))
    shown = json.loads(invoke("diff", a, b, "--format", "json").stdout)
    assert [(c["kind"], c["path"]) for c in shown["changes"]] == [("model", "name")]
    hidden = invoke("diff", a, b, "--ignore-names")
    assert hidden.exit_code == 0
    assert "the model's own name is ignored as well" in " ".join(README.split())
