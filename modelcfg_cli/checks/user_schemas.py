"""Schemas from `--schema-dir` folders: looked up by registered name, then class name, each checked when
read (a valid JSON Schema, every `$ref` resolving) so a broken one stops the command with one line."""

from __future__ import annotations

import json
from pathlib import Path

from modelcfg_cli.checks.messages import field_messages
from modelcfg_cli.document import LayerRef
from modelcfg_cli.errors import UsageError
from modelcfg_cli.schema_store import registry

NOT_SCHEMAS = ("enum", "const", "default", "examples")  # keywords whose values are data, not schemas


def unresolved_ref(schema: dict, known) -> str | None:
    """The first `$ref` in `schema` that registry `known` (plus the schema itself) cannot resolve, or None.

    Subschemas with their own `$id` are skipped: their relative references have another base."""
    from referencing import Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    base = schema.get("$id") if isinstance(schema.get("$id"), str) else ""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    resolver = known.with_resource(base, resource).resolver(base_uri=base)
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


class UserSchemas:
    """Schemas from `--schema-dir` folders, looked up by registered name, then class name."""

    def __init__(self, folders=()):
        self.folders = [Path(f) for f in folders]
        for folder in self.folders:
            if not folder.is_dir():
                raise UsageError(str(folder), "--schema-dir is not a directory")
        self._cache: dict[Path, object] = {}

    def load_all(self) -> None:
        """Read and check every schema in the folders now, so a broken one stops the command early."""
        for folder in self.folders:
            for path in sorted(folder.glob("*.json")):
                self._load(path)

    def validator_for(self, ref: LayerRef):
        for name in (ref.registered_name, ref.class_name):
            if not isinstance(name, str) or not name:
                continue
            for folder in self.folders:
                for candidate in (name, name.replace(">", ".")):
                    path = folder / f"{candidate.replace('/', '.')}.json"
                    if path.is_file():
                        return self._load(path)
        return None

    def _load(self, path: Path):
        if path not in self._cache:
            from jsonschema import Draft202012Validator
            from jsonschema.exceptions import SchemaError
            from jsonschema.validators import validator_for

            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
                cls = validator_for(schema, default=Draft202012Validator)
                cls.check_schema(schema)
            except (OSError, ValueError) as exc:
                raise UsageError(str(path), f"cannot read the schema ({exc})") from exc
            except SchemaError as exc:
                raise UsageError(str(path), f"not a valid JSON Schema: {exc.message}") from exc
            ref = unresolved_ref(schema, registry()) if isinstance(schema, dict) else None
            if ref is not None:
                raise UsageError(str(path), f"$ref {ref!r} does not resolve")
            self._cache[path] = cls(schema, registry=registry())
        return self._cache[path]

    def messages(self, validator, config) -> list[tuple[str, str]]:
        """`field_messages` against one of these schemas; a `$ref` that does not resolve is a usage error
        naming the schema file."""
        from referencing.exceptions import Unresolvable

        try:
            return field_messages(validator, config, group_depth=1)
        except Unresolvable as exc:
            path = next(p for p, v in self._cache.items() if v is validator)
            ref = "#" + exc.ref if str(exc.ref).startswith("/") else exc.ref  # a JSON pointer: as written
            raise UsageError(str(path), f"$ref {ref!r} does not resolve") from None
