"""The `$ref`s of a user schema that do not resolve, found before any config is checked against it."""

from __future__ import annotations

NOT_SCHEMAS = ("enum", "const", "default", "examples")  # keywords whose values are data, not schemas


def unresolved_ref(schema: dict, registry) -> str | None:
    """The first `$ref` in `schema` that `registry` (plus the schema itself) cannot resolve, or None.

    Subschemas with their own `$id` are skipped: their relative references have another base."""
    from referencing import Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    base = schema.get("$id") if isinstance(schema.get("$id"), str) else ""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    resolver = registry.with_resource(base, resource).resolver(base_uri=base)
    for ref in refs_in(schema, root=True):
        try:
            resolver.lookup(ref)
        except Unresolvable:
            return ref
    return None


def refs_in(value, root: bool = False) -> list[str]:
    """Every `$ref` string in a schema, outside data keywords and nested `$id` subschemas."""
    if isinstance(value, list):
        return [ref for item in value for ref in refs_in(item)]
    if not isinstance(value, dict) or (not root and "$id" in value):
        return []
    found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
    for key, item in value.items():
        if key not in NOT_SCHEMAS and key != "$ref":
            found.extend(refs_in(item))
    return found
