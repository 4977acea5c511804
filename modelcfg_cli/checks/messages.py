"""Schema errors as sentences: one per field, saying what was expected and what was found
(`units must be an integer >= 1, got "10"`)."""

from __future__ import annotations

import difflib
import json

from modelcfg_cli.schema_store import load_schema


def field_messages(validator, instance, group_depth: int | None) -> list[tuple[str, str]]:
    """(pointer suffix, sentence) per problem: one per field, saying what was expected and what was found.

    With `group_depth=1` every error under a config field is reported once, against the field's schema;
    with None each failing location is reported against the subschema that failed.
    """
    out: list[tuple[str, str]] = []
    seen: set[tuple] = set()
    errors = validator.iter_errors(instance)
    if group_depth is None:
        errors = [specific for error in errors for specific in _specific(error)]
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = list(error.schema.get("properties", {}))
            for key in _extra_keys(error.instance, error.schema):
                out.append((_pointer([*path, key]), _unknown_field(key, known)))
            continue
        if error.validator == "required" and isinstance(error.instance, dict):
            for key in error.validator_value:
                if key not in error.instance:
                    out.append((_pointer(path), f"missing required field {key!r}"))
            continue
        where = path[:group_depth] if group_depth is not None and path else path
        if tuple(where) in seen:
            continue
        seen.add(tuple(where))
        schema = error.schema
        if group_depth is not None and where:
            schema = validator.schema.get("properties", {}).get(where[0], error.schema)
        value = _value_at(instance, where)
        out.append((_pointer(where), f"{_label(where)} must be {describe(schema)}, got {show(value)}"))
    return out


def _specific(error) -> list:
    """An anyOf/oneOf failure where exactly one branch fits the value's type, as that branch's errors."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[object, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in branches.values()
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
    ]
    if len(fitting) != 1:
        return [error]
    return [specific for sub in fitting[0] for specific in _specific(sub)]


def _extra_keys(instance: dict, schema: dict) -> list[str]:
    import re

    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    allowed = schema.get("properties", {})
    return [k for k in instance if k not in allowed and not any(p.search(k) for p in patterns)]


def _unknown_field(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {key!r} (Keras rejects unrecognized keyword arguments){hint}"


def _pointer(path: list) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _label(path: list) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "config"


def _value_at(instance, path: list):
    for step in path:
        instance = instance[step]
    return instance


def show(value, limit: int = 60) -> str:
    """A value as compact JSON, cut to `limit` characters."""
    text = json.dumps(value, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 3] + "..."


TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def describe(schema) -> str:
    """A schema as a phrase: `an integer >= 1`, `one of 'valid', 'same'`, `a list of 2 integers`."""
    if not isinstance(schema, dict) or not schema:
        return "any value"
    if "x-expect" in schema:
        return schema["x-expect"]
    if "$ref" in schema:
        target = _ref_target(schema["$ref"])
        return describe(target) if target else f"a value matching {schema['$ref']}"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o != {"type": "null"}] or schema[key]
            return " or ".join(dict.fromkeys(describe(o) for o in options))
    if "enum" in schema:
        values = [show(v) for v in schema["enum"]]
        more = f" (and {len(values) - 8} more)" if len(values) > 8 else ""
        return "one of " + ", ".join(values[:8]) + more
    if "const" in schema:
        return show(schema["const"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " or ".join(describe({**schema, "type": k}) for k in kinds if k != "null") or "null"
    if kinds == "array":
        return _describe_array(schema)
    if "pattern" in schema and kinds in (None, "string"):
        return f"a string matching {show(schema['pattern'])}"
    return TYPE_WORDS.get(str(kinds), "a value") + _range(schema)


def _describe_array(schema: dict) -> str:
    size = schema.get("minItems")
    count = f"{size} " if size is not None and size == schema.get("maxItems") else ""
    items = schema.get("items")
    if not isinstance(items, dict) or not items.get("type"):
        return f"a list of {count}values" if count else "a list"
    word = TYPE_WORDS.get(items["type"], "a value").split(" ", 1)[1]
    return f"a list of {count}{word}s{_range(items)}"


def _range(schema: dict) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if (low is not None or xlow is not None) and (high is not None or xhigh is not None):
        left = f"[{low}" if low is not None else f"({xlow}"
        right = f"{high}]" if high is not None else f"{xhigh})"
        return f" in {left}, {right}"
    for value, sign in ((low, ">="), (xlow, ">"), (high, "<="), (xhigh, "<")):
        if value is not None:
            return f" {sign} {value}"
    return ""


def _ref_target(ref: str) -> dict | None:
    name = ref.rsplit("/", 1)[-1].removesuffix(".json")
    return load_schema(f"defs/{name}") if "/defs/" in ref or ref.startswith("../defs") else None
