"""`modelcfg rules --list`: the action registry and the built-in rule sets; the rules file schema."""

from __future__ import annotations

import json

from modelcfg_cli.rules.registry import ACTIONS
from modelcfg_cli.rules.schema import SCHEMA_FILE, rules_schema_text
from tests.helpers import invoke


def test_rules_list_shows_every_action_and_builtin():
    result = invoke("rules", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name, action in ACTIONS.items():
        assert any(line.split() == [name, *action.help.split()] for line in lines), name
    assert any(line.strip().startswith("builtin:keras2 ") for line in lines)


def test_rules_list_json():
    data = json.loads(invoke("rules", "--list", "--format", "json").stdout)
    assert list(data["actions"]) == sorted(ACTIONS)
    assert data["builtins"]["keras2"]


def test_checked_in_rules_schema_matches_the_registry():
    assert SCHEMA_FILE.read_text() == rules_schema_text(), "run `make schemas`"
    rule = json.loads(SCHEMA_FILE.read_text())["$defs"]["rule"]["properties"]
    assert set(rule) == {"match", *ACTIONS}


def test_unknown_action_suggests_a_registered_one(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("rules:\n  - match: {}\n    frezee: true\n")
    result = invoke("clone", "x.keras", "--rules", str(rules), "--dry-run")
    assert result.exit_code == 2
    assert "r.yaml:3: unknown action 'frezee'; did you mean 'freeze'?" in result.stderr
