"""Argument checkers of the layer actions: each takes the loader's checker (for `fail`/`expect`/`known`,
which name `file:line`), the action's name, its argument and its path in the rules file."""

from __future__ import annotations

from typing import Any

WRAPPER_KEYS = ("class_name", "config", "module", "registered_name")
SPEC_KEYS = {
    "replace": WRAPPER_KEYS,
    "wrap": (*WRAPPER_KEYS, "inner_name"),
    "insert_before": (*WRAPPER_KEYS, "name"),
    "insert_after": (*WRAPPER_KEYS, "name"),
}


def check_values(check, name: str, value: Any, path: tuple) -> None:
    """`set` / `set_everywhere`: a non-empty mapping; `set` may not change the name."""
    check.expect(value, dict, path, "a mapping of field: value")
    if not value:
        check.fail(path, f"{name}: nothing to set")
    if name == "set" and "name" in value:
        check.fail((*path, "name"), "set: use 'rename' to change a layer's name (it updates references)")


def check_paths(check, name: str, value: Any, path: tuple) -> None:
    """`unset`: a dotted field path or a list of them."""
    if not (isinstance(value, str) or isinstance(value, list) and all(isinstance(v, str) for v in value)):
        check.fail(path, f"{name}: expected a field path or a list of them, got {kind_name(value)}")


def check_template(check, name: str, value: Any, path: tuple) -> None:
    """`rename`: a name template using `{name}` and `{class_name}`."""
    check.expect(value, str, path, "a name template like '{name}_v2'")
    _template(check, value, path)


def check_flag(check, name: str, value: Any, path: tuple) -> None:
    """`unwrap` / `remove`: `true`; `freeze`: `true` or `false`."""
    check.expect(value, bool, path, "true or false")
    if value is False and name != "freeze":
        check.fail(path, f"{name}: only 'true' makes sense here")


def check_spec(check, name: str, value: Any, path: tuple) -> None:
    """`replace` / `wrap` / `insert_*`: a layer spec `{class_name, config, ...}`."""
    if name == "replace" and isinstance(value, str):
        check.fail(path, "replace: expected {class_name: ..., config: {...}}, got a string")
    check.expect(value, dict, path, "a mapping like {class_name: ..., config: {...}}")
    for key in value:
        check.known(key, SPEC_KEYS[name], (*path, key), f"{name} key")
    if name != "replace" and "class_name" not in value:
        check.fail(path, f"{name}: class_name is required")
    if not value:
        check.fail(path, "replace: give class_name and/or config")
    if "class_name" in value:
        check.expect(value["class_name"], str, (*path, "class_name"), "a class name")
    if "config" in value:
        check.expect(value["config"], dict, (*path, "config"), "a mapping")
        if name == "replace" and "name" in value["config"]:
            check.fail((*path, "config", "name"), "replace: use 'rename' to change a layer's name")
    for key in ("name", "inner_name"):
        if key in value:
            check.expect(value[key], str, (*path, key), "a name template")
            _template(check, value[key], (*path, key))


def _template(check, value: str, path: tuple) -> None:
    try:
        value.format(name="x", class_name="X")
    except (KeyError, IndexError, ValueError) as exc:
        check.fail(path, f"bad name template {value!r} (use {{name}} and {{class_name}}): {exc}")


def kind_name(value: Any) -> str:
    """A YAML-ish name for the type of `value`, for messages."""
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)
