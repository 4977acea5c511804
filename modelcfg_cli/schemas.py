"""The bundled JSON Schemas: find them, build cached validators, validate a whole `ModelDocument`.

Never imports Keras. `validate_document` runs the schema checks here and the graph checks of
`modelcfg_cli.graph`, and returns findings in layer order.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from functools import cache, lru_cache
from pathlib import Path

from modelcfg_cli.document import MODEL_CLASSES, LayerRef, ModelDocument, is_model_entry
from modelcfg_cli.errors import UsageError
from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.hub_schemas import registered_findings
from modelcfg_cli.schema_refs import unresolved_ref

BASE_URI = "https://modelcfg.dev/schemas/"
MODEL_SCHEMA = "model"
TOP_SUFFIX = ".schema.json"
TOP_SCHEMAS = (MODEL_SCHEMA, "rules", "policy")
OP_MODULE_PREFIXES = {"keras.src.ops.": "ops.", "keras.src.activations.activations": "activations"}


def schema_root():
    """The folder holding the bundled schemas: the installed package, else the source tree."""
    try:
        from importlib.resources import files

        root = files("modelcfg_cli.schema_files")
        if root.joinpath("model.schema.json").is_file():
            return root
    except (ImportError, TypeError):
        pass
    return Path(__file__).resolve().parents[1] / "schemas"


@cache
def schema_names() -> tuple[str, ...]:
    """Every bundled schema name: `model`, `rules`, `defs/NAME` and one per layer class."""
    root = schema_root()
    layers = sorted(
        p.name[: -len(".json")] for p in root.joinpath("layers").iterdir() if p.name.endswith(".json")
    )
    defs = sorted(
        "defs/" + p.name[: -len(".json")] for p in root.joinpath("defs").iterdir() if p.name.endswith(".json")
    )
    return (*TOP_SCHEMAS, *defs, *layers)


def schema_path(name: str) -> str:
    """`model` -> `model.schema.json`, `defs/x` -> `defs/x.json`, `Conv2D` -> `layers/Conv2D.json`."""
    if name in TOP_SCHEMAS:
        return name + TOP_SUFFIX
    if name.startswith("defs/"):
        return name + ".json"
    return f"layers/{name}.json"


@cache
def schema_text(name: str) -> str | None:
    """The text of bundled schema `name`, or None when there is none (only listed names are read)."""
    if name not in schema_names():
        return None
    entry = schema_root()
    for part in schema_path(name).split("/"):  # one step at a time: a MultiplexedPath takes one
        entry = entry.joinpath(part)
    return entry.read_text(encoding="utf-8")


def load_schema(name: str) -> dict | None:
    text = schema_text(name)
    return json.loads(text) if text is not None else None


def _retrieve(uri: str):
    """Bundled schemas by `$id`, so user schemas can `$ref` them (e.g. `.../layers/Dense.json`)."""
    from referencing import Resource
    from referencing.exceptions import NoSuchResource

    relative = uri.removeprefix(BASE_URI)
    name = relative.removesuffix(TOP_SUFFIX) if relative.endswith(TOP_SUFFIX) else None
    name = name or relative.removesuffix(".json").removeprefix("layers/")
    schema = load_schema(name) if uri.startswith(BASE_URI) else None
    if schema is None:
        raise NoSuchResource(ref=uri)
    return Resource.from_contents(schema)


@lru_cache(maxsize=1)
def _registry():
    """A registry holding every shared definition, crawled once (a lookup then costs nothing)."""
    from referencing import Registry, Resource

    names = [MODEL_SCHEMA, *(n for n in schema_names() if n.startswith("defs/"))]
    resources = [(BASE_URI + schema_path(n), Resource.from_contents(load_schema(n))) for n in names]
    return Registry(retrieve=_retrieve).with_resources(resources).crawl()


@cache
def bundled_validator(name: str):
    """A cached Draft 2020-12 validator for bundled schema `name`, or None when there is none."""
    schema = load_schema(name)
    return None if schema is None else _make_validator(schema)


def _make_validator(schema: dict, cls=None):
    from jsonschema import Draft202012Validator

    return (cls or Draft202012Validator)(schema, registry=_registry())


def bundled_name(ref: LayerRef) -> str | None:
    """The bundled schema name for a layer entry, or None for a class that is not a Keras built-in."""
    entry = ref.entry
    module = entry.get("module")
    registered = entry.get("registered_name")
    if module is not None and not isinstance(module, str):
        return None
    if module and module != "keras" and not module.startswith("keras."):
        return None
    if isinstance(registered, str) and ">" in registered:
        return None
    if "/" in ref.class_name or ref.class_name == MODEL_SCHEMA:
        return None
    for prefix, short in OP_MODULE_PREFIXES.items():
        if module and module.startswith(prefix):
            rest = module[len(prefix) :] if prefix.endswith(".") else ""
            return f"{short}{rest}.{ref.class_name}"
    return ref.class_name


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
            ref = unresolved_ref(schema, _registry()) if isinstance(schema, dict) else None
            if ref is not None:
                raise UsageError(str(path), f"$ref {ref!r} does not resolve")
            self._cache[path] = _make_validator(schema, cls)
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


def validate_document(doc: ModelDocument, strict: bool = False, schema_dirs=()) -> list[Finding]:
    """Schema and graph findings for `doc`, in layer order."""
    from modelcfg_cli.graph import check_graph

    user = UserSchemas(schema_dirs)
    refs = list(doc.layers())
    findings = _model_findings(doc.envelope, "", None)
    registered = registered_findings(doc.envelope, strict=strict)
    if registered is not None:
        findings.extend(registered)
    elif not is_model_entry(doc.envelope):
        message = (
            f"{doc.class_name} is not a Functional or Sequential model (a subclassed model?): its layers "
            "are defined in code, so its config cannot be checked"
        )
        findings.append(Finding(ERROR if strict else WARNING, "/class_name", message))
    for ref in refs:
        findings.extend(_layer_findings(ref, user, strict))
    findings.extend(check_graph(doc, refs))
    return sort_findings(findings, refs)


def _model_findings(entry: dict, pointer: str, ref: LayerRef | None) -> list[Finding]:
    """The model schema's findings; the layer entries are checked one by one against its `$defs/layer`,
    once per distinct shape of entry (10,000 Dense entries share a handful of shapes)."""
    shell, entries, list_pointer = _split_layers(entry)
    messages = field_messages(bundled_validator(MODEL_SCHEMA), shell, group_depth=None)
    entry_validator = _layer_entry_validator()
    valid_shapes: dict[object, bool] = {}
    for index, item in enumerate(entries):
        shape = _shape(item)
        if shape not in valid_shapes:
            valid_shapes[shape] = entry_validator.is_valid(item)
        if not valid_shapes[shape]:
            found = field_messages(entry_validator, item, group_depth=None)
            messages.extend((f"{list_pointer}/{index}{where}", message) for where, message in found)
    layer = ref.path_str if ref else None
    class_name = ref.class_name if ref else None
    return [Finding(ERROR, pointer + where, message, layer, class_name) for where, message in messages]


def _split_layers(entry: dict) -> tuple[dict, list, str]:
    """The model entry with its layer list emptied, the layer entries, and the list's pointer."""
    config = entry.get("config")
    if isinstance(config, list):
        return {**entry, "config": []}, config, "/config"
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        return {**entry, "config": {**config, "layers": []}}, config["layers"], "/config/layers"
    return entry, [], ""


@cache
def _layer_entry_validator():
    return _make_validator({"$ref": f"{BASE_URI}{MODEL_SCHEMA}{TOP_SUFFIX}#/$defs/layer"})


def _shape(value: object) -> object:
    """What the model schema's `$defs/layer` can see of an entry: its keys and their JSON types."""
    if not isinstance(value, dict):
        return type(value).__name__
    return tuple((key, _json_type(item)) for key, item in value.items())


def _json_type(value: object) -> str:
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return type(value).__name__


def _layer_findings(ref: LayerRef, user: UserSchemas, strict: bool) -> list[Finding]:
    if "class_name" not in ref.entry or not isinstance(ref.entry.get("class_name"), str):
        return []  # the model schema reports it
    validator = user.validator_for(ref)
    if validator is None and ref.class_name in MODEL_CLASSES:
        return _model_findings(ref.entry, ref.pointer, ref)
    config = ref.entry.get("config")
    if validator is not None:
        messages = user.messages(validator, config)
    else:
        name = bundled_name(ref)
        if name is None or bundled_validator(name) is None:
            registered = registered_findings(ref.entry, ref.pointer, strict=strict)
            return [_unknown_class(ref, strict)] if registered is None else _in_layer(registered, ref)
        messages = _bundled_messages(name, config)
    return [
        Finding(ERROR, f"{ref.pointer}/config{where}", message, ref.path_str, ref.class_name)
        for where, message in messages
    ]


def _in_layer(findings: list[Finding], ref: LayerRef) -> list[Finding]:
    return [replace(f, layer=ref.path_str, class_name=ref.class_name) for f in findings]


def _bundled_messages(name: str, config) -> list[tuple[str, str]]:
    """Messages for a config, memoized on its content without the layer name (layers repeat a lot)."""
    if not isinstance(config, dict) or not isinstance(config.get("name", ""), str):
        return field_messages(bundled_validator(name), config, group_depth=1)
    try:
        key = json.dumps({k: v for k, v in config.items() if k != "name"}, sort_keys=True)
    except (TypeError, ValueError):  # YAML can hold values JSON cannot
        return field_messages(bundled_validator(name), config, group_depth=1)
    return list(_memo_messages(name, key))


@lru_cache(maxsize=4096)
def _memo_messages(name: str, config_json: str) -> tuple[tuple[str, str], ...]:
    return tuple(field_messages(bundled_validator(name), json.loads(config_json), group_depth=1))


def _unknown_class(ref: LayerRef, strict: bool) -> Finding:
    registered = ref.registered_name
    shown = registered if isinstance(registered, str) and registered != ref.class_name else ref.class_name
    message = (
        f"unknown layer class {shown!r}: expected a built-in Keras layer or a schema in --schema-dir; "
        "its config is not checked"
    )
    return Finding(ERROR if strict else WARNING, ref.pointer, message, ref.path_str, ref.class_name)


def sort_findings(findings: list[Finding], refs: list[LayerRef]) -> list[Finding]:
    """Findings ordered by the layer they are in (model-level ones first), stable within a layer."""
    order = {ref.pointer: index for index, ref in enumerate(refs)}

    def owner(finding: Finding) -> int:
        pointer = finding.pointer
        while pointer:
            if pointer in order:
                return order[pointer]
            pointer = pointer.rpartition("/")[0]
        return -1

    ranked = []
    for finding in findings:
        index = owner(finding)
        if finding.layer is None and index >= 0:
            ref = refs[index]
            class_name = ref.class_name if "class_name" in ref.entry else "no class_name"
            finding = Finding(finding.severity, finding.pointer, finding.message, ref.path_str, class_name)
        ranked.append((index, finding))
    return [finding for _, finding in sorted(ranked, key=lambda pair: pair[0])]


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
    return TYPE_WORDS.get(kinds, "a value") + _range(schema)


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


def find_schema(name: str) -> str:
    """The bundled schema name for `name` (`Conv2D`, `layers/Conv2D`, `defs/initializer`, `model`)."""
    names = schema_names()
    wanted = name.removesuffix(".json").removesuffix(".schema")
    for candidate in (wanted, wanted.removeprefix("layers/"), f"defs/{wanted}"):
        if candidate in names:
            return candidate
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `modelcfg schema --list` shows them all"
    raise UsageError(None, f"no bundled schema named {name!r}{hint}")
