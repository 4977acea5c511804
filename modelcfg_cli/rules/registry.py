"""Every layer action of the rules language, declared once: name, argument checker, applier, JSON
Schema fragment (for `rules.schema.json`) and a one-line help (for `modelcfg rules --list`).

A new action is one applier in `actions.py`, one checker in `action_checks.py` (or an existing one)
and one line here; the loader, the engine, the schema and the listing all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import modelcfg_cli.rules.actions as actions
from modelcfg_cli.rules.action_checks import check_flag, check_paths, check_spec, check_template, check_values

SPEC = {"allOf": [{"$ref": "#/$defs/layer_spec"}], "unevaluatedProperties": False}


@dataclass(frozen=True)
class Action:
    """One layer action: `apply(site, argument, edits)` edits a selected layer in place."""

    name: str
    check: Callable = field(repr=False)
    apply: Callable = field(repr=False)
    schema: dict = field(repr=False)
    help: str = ""


def _spec_schema(required: bool, extra: str | None = None) -> dict:
    schema = dict(SPEC)
    if required:
        schema["required"] = ["class_name"]
    if extra:
        schema["properties"] = {extra: {"$ref": "#/$defs/template"}}
    return schema


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "set",
            check_values,
            actions.set_fields,
            {"type": "object", "minProperties": 1, "not": {"required": ["name"]}},
            "Dotted path -> value in the layer config.",
        ),
        Action("unset", check_paths, actions.unset_fields, {"$ref": "#/$defs/names"}, "Delete dotted paths."),
        Action(
            "set_everywhere",
            check_values,
            actions.set_everywhere,
            {"type": "object", "minProperties": 1},
            "Every such key at any depth of the layer config.",
        ),
        Action(
            "rename",
            check_template,
            actions.rename,
            {"$ref": "#/$defs/template"},
            "New name from a template; references are updated.",
        ),
        Action(
            "replace",
            check_spec,
            actions.replace,
            {**_spec_schema(False), "minProperties": 1},
            "New class and/or config merged over the old one.",
        ),
        Action(
            "wrap",
            check_spec,
            actions.wrap,
            _spec_schema(True, "inner_name"),
            "The wrapper takes the layer's name and wiring; the layer becomes config.layer.",
        ),
        Action("unwrap", check_flag, actions.unwrap, {"const": True}, "A wrapper gives way to its layer."),
        Action("remove", check_flag, actions.remove, {"const": True}, "Remove the layer; its input flows on"),
        Action(
            "insert_before",
            check_spec,
            actions.insert_before,
            _spec_schema(True, "name"),
            "A new layer between the layer and its inputs.",
        ),
        Action(
            "insert_after",
            check_spec,
            actions.insert_after,
            _spec_schema(True, "name"),
            "A new layer after the layer; its consumers read the new one.",
        ),
        Action("freeze", check_flag, actions.freeze, {"type": "boolean"}, "trainable: false (or true)."),
    )
}
