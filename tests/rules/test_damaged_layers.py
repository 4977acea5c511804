"""Every action on a layer entry that lost its class_name or config: a one-line rules error, never a crash
(the fuzz test once found `wrap` after `insert_after` on a Sequential config raising KeyError)."""

from __future__ import annotations

import contextlib
import copy
import json

import pytest

from modelcfg_cli import apply_rules
from modelcfg_cli.errors import ModelcfgError
from tests.helpers import assert_one_line_error, invoke

ACTIONS = [
    {"wrap": {"class_name": "Bidirectional"}},
    {"wrap": {"class_name": "Dense"}},
    {"unwrap": True},
    {"rename": "{class_name}_{name}"},
    {"replace": {"class_name": "GRU"}},
    {"insert_after": {"class_name": "Dense"}},
    {"insert_before": {"class_name": "Dense"}},
    {"remove": True},
    {"freeze": True},
    {"set": {"a.b": 1}},
    {"unset": "a"},
    {"set_everywhere": {"seed": 1}},
]
DAMAGES = {
    "no class_name": lambda layer: layer.pop("class_name"),
    "no config": lambda layer: layer.pop("config"),
    "config a list": lambda layer: layer.update(config=[1]),
    "config null": lambda layer: layer.update(config=None),
    "class_name a number": lambda layer: layer.update(class_name=3),
}


@pytest.fixture(scope="module")
def sequential_config(saved_models) -> dict:
    with open(saved_models["sequential"]["config"]) as handle:
        return json.load(handle)


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: next(iter(action)))
def test_actions_on_damaged_layers_raise_rules_errors_only(sequential_config, damage, action):
    config = copy.deepcopy(sequential_config)
    DAMAGES[damage](config["layers"][1])
    for match in ({"name": "dense_1"}, {}):
        with contextlib.suppress(ModelcfgError):  # anything else fails the test
            apply_rules(copy.deepcopy(config), {"rules": [{"match": match, **action}]})


def test_insert_after_then_wrap_on_a_layer_without_class_name(saved_models, tmp_path):
    """The case the fuzz test found, end to end: one line, exit 2, not `internal error: KeyError`."""
    config = json.loads(open(saved_models["sequential"]["config"]).read())
    del config["layers"][1]["class_name"]
    source = tmp_path / "damaged.json"
    source.write_text(json.dumps(config))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - match: {name: dense_1}\n"
        "    insert_after: {class_name: Dense}\n    wrap: {class_name: Dense}\n"
    )
    result = invoke("clone", source, "--dry-run", "--rules", rules)
    assert_one_line_error(result, "rules.yaml:2: wrap", "without a class_name")
