"""A whole `ModelDocument` against the bundled schemas (and `--schema-dir` ones): cached validators, one
finding per problem, in layer order. `validate_document` adds the graph checks of `checks/graph.py`.
Never imports Keras.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache, lru_cache

from modelcfg_cli.checks.graph import check_graph
from modelcfg_cli.checks.hub_schemas import registered_findings
from modelcfg_cli.checks.messages import field_messages
from modelcfg_cli.checks.user_schemas import UserSchemas
from modelcfg_cli.document import MODEL_CLASSES, LayerRef, ModelDocument, is_model_entry
from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.schema_store import BASE_URI, MODEL_SCHEMA, TOP_SUFFIX, load_schema, registry

OP_MODULE_PREFIXES = {"keras.src.ops.": "ops.", "keras.src.activations.activations": "activations"}


@cache
def bundled_validator(name: str):
    """A cached Draft 2020-12 validator for bundled schema `name`, or None when there is none."""
    schema = load_schema(name)
    return None if schema is None else _make_validator(schema)


def _make_validator(schema: dict, cls=None):
    from jsonschema import Draft202012Validator

    return (cls or Draft202012Validator)(schema, registry=registry())


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


def validate_document(doc: ModelDocument, strict: bool = False, schema_dirs=()) -> list[Finding]:
    """Schema and graph findings for `doc`, in layer order."""
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
