"""Team policies: each key (match, require, forbid, severity, message, model), nested models, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelcfg_cli.checks.policies import check_policies, load_policies, load_policy_files
from modelcfg_cli.errors import RulesError
from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.sources import read_document

ROOT = Path(__file__).resolve().parents[1]
ISSUE_EXAMPLE = """\
policies:
  - id: regularized-dense            # required, unique; shown in every finding
    match: {class_name: Dense}       # the selector language of rules files
    require:                         # a JSON Schema (2020-12) each matched layer's config must satisfy
      required: [kernel_regularizer]
      properties: {kernel_regularizer: {type: object}}
    message: every Dense needs a kernel regularizer   # optional
  - id: no-separable
    match: {class_name: SeparableConv2D}
    forbid: true                     # any matching layer is a finding
    severity: warning                # error (default) or warning
  - id: small-enough
    model: {max_layers: 300}         # model-level limits
"""


def policies_from(tmp_path, text: str, name: str = "team.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_policies(path)


def findings_for(tmp_path, saved_models, text: str, model: str = "nested"):
    return check_policies(read_document(saved_models[model]["keras"]), policies_from(tmp_path, text))


def test_the_issue_example_loads(tmp_path):
    regularized, separable, small = policies_from(tmp_path, ISSUE_EXAMPLE)
    assert (regularized.id, regularized.match, regularized.severity) == (
        "regularized-dense",
        {"class_name": "Dense"},
        ERROR,
    )
    assert regularized.where.endswith("team.yaml:2")
    assert (separable.forbid, separable.severity) == (True, WARNING)
    assert (small.match, small.model) == (None, {"max_layers": 300})


def test_require_on_every_matched_layer_nested_ones_included(tmp_path, saved_models):
    found = findings_for(tmp_path, saved_models, ISSUE_EXAMPLE)
    assert {f.layer for f in found} == {"encoder/enc_dense", "inner_block/inner_dense", "score"}
    first = next(f for f in found if f.layer == "inner_block/inner_dense")
    assert first.policy == "regularized-dense" and first.severity == ERROR
    assert first.pointer.endswith("/config/kernel_regularizer")
    assert (
        first.message
        == "every Dense needs a kernel regularizer: kernel_regularizer must be an object, got null"
    )


def test_require_passes_when_the_config_holds(tmp_path, saved_models):
    text = (
        "policies:\n  - id: units\n    match: {class_name: Dense}\n"
        "    require: {properties: {units: {minimum: 1}}}\n"
    )
    assert findings_for(tmp_path, saved_models, text) == []


def test_match_by_path_forbid_and_severity(tmp_path, saved_models):
    text = (
        "policies:\n  - id: no-inner\n    match: {path: 'inner_block/*', class_name: Dense}\n"
        "    forbid: true\n    severity: warning\n"
    )
    [finding] = findings_for(tmp_path, saved_models, text)
    assert (finding.layer, finding.severity, finding.policy) == (
        "inner_block/inner_dense",
        WARNING,
        "no-inner",
    )
    assert finding.message == "Dense layers at 'inner_block/*' are forbidden"
    where = (
        "policies:\n  - id: tanh\n    match: {where: {activation: tanh}}\n"
        "    forbid: true\n    message: no tanh\n"
    )
    [tanh] = findings_for(tmp_path, saved_models, where)
    message = 'no tanh: Dense layers with activation = "tanh" are forbidden'
    assert (tanh.layer, tanh.message) == ("inner_block/inner_dense", message)


def test_model_limits(tmp_path, saved_models):
    text = (
        "policies:\n  - id: limits\n    model:\n      max_layers: 3\n      max_depth: 0\n"
        "      require: {required: [name], properties: {name: {pattern: '^prod_'}}}\n"
    )
    size, depth, name = findings_for(tmp_path, saved_models, text)
    layers = len(list(read_document(saved_models["nested"]["keras"]).layers()))
    assert (size.pointer, size.message) == ("/config", f"the model has {layers} layers, over the limit of 3")
    assert depth.layer.startswith("encoder/") and depth.message == "nested 1 level deep, over the limit of 0"
    assert (name.pointer, name.message) == (
        "/config/name",
        'name must be a string matching "^prod_", got "nested"',
    )
    assert {size.policy, depth.policy, name.policy} == {"limits"}
    loose = "policies:\n  - id: ok\n    model: {max_layers: 100, max_depth: 1}\n"
    assert findings_for(tmp_path, saved_models, loose) == []


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "policies:\n  - id: x\n    match: {}\n    forbidd: true\n",
            4,
            "unknown policy key 'forbidd'; did you mean 'forbid'?",
        ),
        (
            "policies:\n  - id: x\n    match: {clas_name: Dense}\n    forbid: true\n",
            3,
            "did you mean 'class_name'?",
        ),
        (
            "policies:\n  - id: x\n    match: {}\n    forbid: true\n    severity: warn\n",
            5,
            "did you mean 'warning'?",
        ),
        (
            "policies:\n  - id: x\n    match: {}\n    require: {type: 12}\n",
            4,
            "require: not a valid JSON Schema",
        ),
        ("policies:\n  - match: {}\n    forbid: true\n", 2, "policy has no 'id'"),
        ("policies:\n  - id: x\n    forbid: true\n", 2, "has no 'match' (use match: {} for every layer)"),
        ("policies:\n  - id: x\n    match: {}\n    forbid: false\n", 4, "forbid: expected true"),
        ("policies:\n  - id: x\n    match: {}\n", 2, "checks nothing"),
        ("policies:\n  - id: x\n    model: {max_layer: 3}\n", 3, "did you mean 'max_layers'?"),
        ("policies:\n  - id: x\n    model: {max_depth: -1}\n", 3, "expected a whole number >= 0"),
        (
            "policies:\n  - {id: x, model: {max_depth: 1}}\n  - {id: x, model: {max_depth: 2}}\n",
            3,
            "duplicate policy id",
        ),
        ("policy:\n  - id: x\n", 1, "did you mean 'policies'?"),
        (
            "policies:\n  - id: x\n    match: {name_regex: '('}\n    forbid: true\n",
            3,
            "invalid regular expression",
        ),
        ("policies: [\n", 2, "invalid YAML"),
    ],
)
def test_bad_policy_files_name_file_and_line(tmp_path, text, line, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RulesError) as caught:
        load_policies(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message and "\n" not in message


def test_the_same_id_in_two_files(tmp_path):
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    for path in (first, second):
        path.write_text("policies:\n  - id: shared\n    model: {max_layers: 9}\n")
    with pytest.raises(RulesError, match=rf"{second}:2: policy id 'shared' is also used at {first}:2"):
        load_policy_files([first, second])


def test_missing_policy_file(tmp_path):
    with pytest.raises(RulesError, match="cannot read policy file"):
        load_policies(tmp_path / "nope.yaml")


def test_policy_schema_accepts_what_the_loader_accepts():
    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert validator.is_valid(yaml.safe_load(ISSUE_EXAMPLE))
    for bad in ({"policies": [{"id": "x", "match": {}}]}, {"policies": [{"id": "x", "forbidd": True}]}):
        assert not validator.is_valid(bad)
    rules = json.loads((ROOT / "schemas" / "rules.schema.json").read_text())
    for name in ("match", "names", "predicate"):  # one selector language for rules and policies
        assert schema["$defs"][name] == rules["$defs"][name]
