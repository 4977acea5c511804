"""Rules files: parsing with file:line in every error, built-in rule sets, `--set` edits."""

from __future__ import annotations

import json

import pytest

from modelcfg_cli.errors import RulesError, UsageError
from modelcfg_cli.rules.builtin import BUILTINS, register
from modelcfg_cli.rules.loader import load_rules, rules_from_data
from modelcfg_cli.rules.model import BuiltinStep
from modelcfg_cli.rules.setcli import parse_set

ISSUE_EXAMPLE = """\
rules:
  - match: {class_name: LSTM}                # one class or a list; registered names too
    wrap: {class_name: Bidirectional, config: {merge_mode: concat}}
  - match: {}                                # every layer
    set_everywhere: {seed: 1337}
  - match: {name: "block_[1-3]*"}
    set: {trainable: false}
  - match: {class_name: Conv2D, where: {filters: {gt: 64}}}
    set: {kernel_regularizer: {class_name: L2, config: {l2: 1.0e-4}}}
  - match: {name: dropout_2}
    remove: true
  - match: {name: conv1}
    rename: "{name}_v2"
model:
  name: variant
  dtype_policy: mixed_float16
"""


def write(tmp_path, text: str, name: str = "rules.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_issue_example_loads(tmp_path):
    ruleset = load_rules(write(tmp_path, ISSUE_EXAMPLE))
    assert [rule.actions[0][0] for rule in ruleset.rules] == [
        "wrap",
        "set_everywhere",
        "set",
        "set",
        "remove",
        "rename",
    ]
    assert ruleset.rules[0].where.endswith("rules.yaml:2")
    assert ruleset.rules[3].match["where"] == {"filters": {"gt": 64}}
    assert ruleset.model == {"name": "variant", "dtype_policy": "mixed_float16"}


def test_json_rules_file(tmp_path):
    data = {"rules": [{"match": {"name": "x"}, "freeze": True}]}
    ruleset = load_rules(write(tmp_path, json.dumps(data, indent=2), "rules.json"))
    assert ruleset.rules[0].where.endswith("rules.json:3")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "rules:\n  - match: {}\n    wrapp: {class_name: X}\n",
            3,
            "unknown action 'wrapp'; did you mean 'wrap'?",
        ),
        (
            "rules:\n  - match: {nme: x}\n    freeze: true\n",
            2,
            "unknown selector 'nme'; did you mean 'name'?",
        ),
        ("rules:\n  - freeze: true\n", 2, "rule has no 'match'"),
        ("rules:\n  - match: {}\n", 2, "rule has no action"),
        ("rules:\n  - match: {name_regex: '('}\n    freeze: true\n", 2, "invalid regular expression"),
        ("rules:\n  - match: {}\n\n    set: {name: x}\n", 4, "use 'rename'"),
        ("rules:\n  - match: {}\n    set: {units: .nan}\n", 3, "not a finite number"),
        ("rules:\n  - match: {}\n    wrap: {config: {}}\n", 3, "class_name is required"),
        ("rules:\n  - match: {}\n    rename: '{nam}_2'\n", 3, "bad name template"),
        ("rules:\n  - match: {where: {units: {gtt: 3}}}\n    freeze: true\n", 2, "did you mean 'gt'?"),
        ("rules:\n  - match: {}\n    remove: false\n", 3, "only 'true'"),
        ("rules:\n  - match: {}\n    freeze: true\n    freeze: false\n", 4, "duplicate key 'freeze'"),
        ("rule:\n  - match: {}\n", 1, "unknown top-level key 'rule'; did you mean 'rules'?"),
        ("model:\n  input_shape: [a, 3]\n", 2, "input_shape: expected a list of sizes"),
        ("model:\n  nam: x\n", 2, "unknown model setting 'nam'"),
        ("rules: [\n", 2, "invalid YAML"),
        ("rules: !!python/object:os.system {}\n", 1, "invalid YAML"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:{line}: "), str(error.value)
    assert message in str(error.value)


def test_alias_bomb_refused(tmp_path):
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    with pytest.raises(RulesError, match="alias bomb"):
        load_rules(write(tmp_path, "\n".join(lines) + "\n"))


def test_missing_file(tmp_path):
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(str(tmp_path / "nope.yaml"))


def test_builtin_registry(tmp_path):
    def upgrade(envelope, metadata):
        return envelope, ["nothing to do"]

    register("noop", upgrade)
    register("frozen", write(tmp_path, "rules:\n  - match: {}\n    freeze: true\n"))
    try:
        step = load_rules("builtin:noop").rules[0]
        assert isinstance(step, BuiltinStep) and step.function is upgrade
        assert load_rules("builtin:frozen").rules[0].actions == (("freeze", True),)
        with pytest.raises(RulesError, match="did you mean 'noop'"):
            load_rules("builtin:nop")
    finally:
        BUILTINS.pop("noop")
        BUILTINS.pop("frozen")


@pytest.mark.parametrize(
    ("option", "match", "actions"),
    [
        ("layers.dense_1.units=10", {"name": "dense_1"}, (("set", {"units": 10}),)),
        ("layers.outer/inner.activation=relu", {"path": "outer/inner"}, (("set", {"activation": "relu"}),)),
        (
            "layers.d.kernel_initializer.config.seed=null",
            {"name": "d"},
            (("set", {"kernel_initializer.config.seed": None}),),
        ),
        ("layers.d.kernel_size=[3, 3]", {"name": "d"}, (("set", {"kernel_size": [3, 3]}),)),
    ],
)
def test_parse_set(option, match, actions):
    rule = parse_set(option).rules[0]
    assert rule.match == match and rule.actions == actions and rule.required


def test_parse_set_model_and_errors():
    assert parse_set("model.name=v2").model == {"name": "v2"}
    for bad in ("layers.x", "layers.x=3", "weights.x.y=1"):
        with pytest.raises(UsageError):
            parse_set(bad)
    with pytest.raises(UsageError):
        parse_set("layers.x.units=[1,")


def test_rules_from_data_without_lines():
    with pytest.raises(RulesError, match="^rules: unknown action 'frezee'"):
        rules_from_data({"rules": [{"match": {}, "frezee": True}]})


def test_rules_schema_accepts_the_examples(tmp_path):
    from pathlib import Path

    import jsonschema
    import yaml

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "schemas" / "rules.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for data in (
        yaml.safe_load(ISSUE_EXAMPLE),
        yaml.safe_load((root / "examples" / "rules.yaml").read_text()),
    ):
        assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors({"rules": [{"match": {}, "wrapp": {}}]}))
