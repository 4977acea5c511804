"""`schemas/rules.schema.json`, the rules file's JSON Schema for editors: its actions come from the
action registry (`rules/registry.py`); `make schemas` rewrites the file and a test checks it is current."""

from __future__ import annotations

import json
from pathlib import Path

from modelcfg_cli.rules.registry import ACTIONS

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "schemas" / "rules.schema.json"


def rules_schema(base: dict) -> dict:
    """`base` (the checked-in schema) with the rule's action properties taken from the registry."""
    schema = json.loads(json.dumps(base))
    rule = schema["$defs"]["rule"]
    match = rule["properties"]["match"]
    rule["properties"] = {"match": match}
    for action in ACTIONS.values():
        rule["properties"][action.name] = {**action.schema, "description": action.help}
    return schema


def rules_schema_text(path: Path = SCHEMA_FILE) -> str:
    """The regenerated schema file's text."""
    return json.dumps(rules_schema(json.loads(path.read_text())), indent=2) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(rules_schema_text())
