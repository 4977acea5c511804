"""Did every edit the rules asked for take effect in the model Keras built?

Keras normalises what it builds: `swish` becomes `silu`, `padding: 3` becomes `((3, 3), (3, 3))`, an
initializer name becomes a serialized object, a dtype name a `DTypePolicy`. An edit is compared with what
Keras built in Keras's canonical form, so those count as applied. An edited field that is missing from
the built model was silently dropped by Keras: an error. What Keras ignores by design (a dtype on a
Functional model itself, whose layers carry the policy) is a note.
"""

from __future__ import annotations

import re

from modelcfg_cli.diffing.diff import MISSING, Change
from modelcfg_cli.document import ModelDocument, document_from_payload
from modelcfg_cli.summary import dtype_policy_name

STEP = re.compile(r"[^.\[\]]+|\[\d+\]")
MODULES = (
    (re.compile(r"(^|_)activation$"), "activations"),
    (re.compile(r"_initializer$"), "initializers"),
    (re.compile(r"_regularizer$"), "regularizers"),
    (re.compile(r"_constraint$"), "constraints"),
    (re.compile(r"^dtype$"), "dtype_policies"),
)
ABSENT = object()


def unapplied_edits(keras, changes: list[Change], built: dict) -> tuple[list[str], list[str]]:
    """(problems, notes): edits in `changes` that the built model (`built`, its serialized form) lacks."""
    doc = document_from_payload(built, "built")
    layers = {ref.path_str: ref for ref in doc.layers()}
    renamed = _renames(changes)
    wrapped = {change.layer for change in changes if change.kind == "wrapped"}
    problems: list[str] = []
    notes: list[str] = []
    for change in changes:
        if change.kind == "changed" and change.new is not MISSING:
            layer = change.layer or ""
            ref = layers.get(renamed.get(layer, layer))
            if ref is not None:
                problems.extend(_field_problem(keras, change, _edited_config(ref, change.layer in wrapped)))
        elif change.kind == "model" and change.path == "dtype_policy":
            problems.extend(_policy_problems(change.new, layers.values()))
            notes.extend(_model_dtype_note(doc, change.new))
    return problems, notes


def _edited_config(ref, wrapped: bool) -> dict:
    """The config a field change is about: a wrapped layer's changes (after `wrapped`) are its inner
    layer's, which the wrapper holds as `config.layer`."""
    if not wrapped:
        return ref.config
    inner = ref.config.get("layer")
    return inner.get("config", {}) if isinstance(inner, dict) else {}


def _renames(changes: list[Change]) -> dict[str, str]:
    """{source path: clone path} of renamed layers."""
    found = {}
    for change in changes:
        if change.kind == "renamed" and change.layer:
            parent = change.layer.rpartition("/")[0]
            found[change.layer] = f"{parent}/{change.new}" if parent else str(change.new)
    return found


def _field_problem(keras, change: Change, config: dict) -> list[str]:
    built = field_value(config, change.path or "")
    where = f"{change.layer}.{change.path}"
    if built is ABSENT:
        return [f"{where}: Keras dropped the edit (asked {change.new!r}; not in the model Keras built)"]
    key = re.sub(r"\[\d+\]", "", (change.path or "").rpartition(".")[2])
    if equivalent(keras, key, change.new, built):
        return []
    return [f"{where}: asked {change.new!r}, Keras built {built!r}"]


def field_value(config: object, path: str) -> object:
    """The value at a dotted path (`kernel_initializer.config.seed`, `padding[0]`), or ABSENT."""
    value = config
    for step in STEP.findall(path):
        if step.startswith("["):
            index = int(step[1:-1])
            if not isinstance(value, list | tuple) or index >= len(value):
                return ABSENT
            value = value[index]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return ABSENT
    return value


def equivalent(keras, key: str, asked: object, built: object) -> bool:
    """True when Keras's canonical form of `asked` (the value of field `key`) is `built`."""
    if asked == built:
        return True
    if isinstance(asked, int | float) and not isinstance(asked, bool) and isinstance(built, list | tuple):
        return bool(built) and all(equivalent(keras, key, asked, item) for item in built)
    if isinstance(asked, list | tuple) and isinstance(built, list | tuple):
        pairs = zip(asked, built, strict=False)
        return len(asked) == len(built) and all(equivalent(keras, key, a, b) for a, b in pairs)
    if isinstance(asked, dict) and isinstance(built, dict) and asked.get("class_name") is None:
        return all(k in built and equivalent(keras, k, v, built[k]) for k, v in asked.items())
    return _same_object(keras, key, asked, built)


def _same_object(keras, key: str, asked: object, built: object) -> bool:
    """An alias or a name of a Keras object (activation, initializer, ..., dtype policy)."""
    module = next((name for pattern, name in MODULES if pattern.search(key)), None)
    if module is None:
        return False
    api = getattr(keras, module)
    try:
        return api.serialize(api.get(asked)) == api.serialize(api.get(built))
    except Exception:
        return False


def _policy_problems(policy: object, refs) -> list[str]:
    wrong = [
        ref.path_str
        for ref in refs
        if ref.class_name != "InputLayer"
        and not ref.is_model
        and "dtype" in ref.config
        and dtype_policy_name(ref.config) != policy
    ]
    if not wrong:
        return []
    return [f"model.dtype_policy: asked {policy!r}, Keras built another policy for {', '.join(wrong[:5])}"]


def _model_dtype_note(doc: ModelDocument, policy: object) -> list[str]:
    functional = doc.class_name in ("Functional", "Model")
    if functional and dtype_policy_name(doc.envelope.get("config") or {}) != policy:
        return [f"note: Keras ignores a dtype on a Functional model itself; its layers carry {policy!r}"]
    return []
