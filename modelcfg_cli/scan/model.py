"""`scan`: every place in a saved model that runs code or reaches outside Keras when the file is loaded.

Looks at names and bytes only: nothing is imported, unmarshalled or unpickled, and Keras is not needed.
The whole serialized config is walked (nested models, wrappers, RNN cells, `compile_config`, a legacy
file's `training_config`), so a Lambda three models deep is found like one at the top. Members of a
`.keras` archive or model folder are checked by `modelcfg_cli.scan.archive` (a TF.js model's folder or
zip by `modelcfg_cli.scan.tfjs`).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

from modelcfg_cli.document import MODEL_CLASSES, LayerRef, ModelDocument
from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.scan.bytecode import bytecode_names, is_bytecode
from modelcfg_cli.scan.custom import custom_objects
from modelcfg_cli.scan.names import KERAS_FUNCTION_NAMES, LEGACY_LAYER_NAMES, LEGACY_NAMES

# Packages whose classes and functions are Keras's own or the Keras team's ecosystem: Keras 3 itself
# imports only keras, keras_hub, keras_cv and keras_nlp while loading; keras_rs is the same team's
# recommender package and tf_keras is Keras 2 under another name.
KERAS_PACKAGES = frozenset({"keras", "keras_hub", "keras_nlp", "keras_cv", "keras_rs", "tf_keras"})

RULES = {
    "lambda": "A Lambda layer: loading runs its Python code (marshalled bytecode or a named function).",
    "foreign-function": "A serialized function that is not a Keras built-in: Python builtins, user code, "
    "marshalled bytecode, or a TensorFlow function called by name.",
    "foreign-module": "A serialized object whose class comes from a module outside Keras and its "
    "ecosystem packages: older Keras imports that module while loading.",
    "external-graph": "A layer that loads code or a graph from elsewhere: TFSMLayer, TorchModuleWrapper, "
    "JaxLayer, FlaxLayer, a TF Hub KerasLayer, a TensorFlowOpLayer.",
    "pickle": "A pickle in the archive or the weights (or numpy arrays of Python objects): unpickling it "
    "runs code.",
    "python-source": "Python source or bytecode inside the model archive or folder.",
    "unexpected-member": "A file in the .keras archive or model folder that Keras does not write there.",
    "custom-class": "A custom registered class or function: loading needs code from its package.",
}
COMPILE_KEYS = ("compile_config", "training_config")
COMPILE_FUNCTION_KEYS = {"loss": "loss", "metrics": "metric", "weighted_metrics": "metric"}
ACTIVATION_KEYS = ("activation", "recurrent_activation", "inner_activation")
PYTHON_BUILTINS = frozenset(dir(builtins))


class Hit(NamedTuple):
    """One code-bearing place, before the layer that holds it is known."""

    pointer: str
    rule: str
    severity: str
    message: str
    class_name: str | None = None


def scan_model(doc: ModelDocument, *, strict: bool = False, archive=None) -> list[Finding]:
    """Every code-bearing place in the model: its config, then the members of its `.keras` archive (read
    from `archive`, a path or binary file, else from the document's path) or model folder. `strict` makes
    every finding an error."""
    from modelcfg_cli.scan.archive import scan_archive, scan_folder
    from modelcfg_cli.scan.presets import scan_preset
    from modelcfg_cli.sources.presets import is_preset

    findings = scan_document(doc)
    source_format = doc.origin.format
    if source_format == "keras-zip" and (archive is not None or doc.path):
        findings.extend(scan_archive(archive if archive is not None else doc.path, doc.label))
    elif source_format == "keras-dir" and doc.path:
        findings.extend(
            scan_preset(doc.path, scan_document) if is_preset(doc.path) else scan_folder(doc.path)
        )
    elif source_format == "tfjs-layers":
        from modelcfg_cli.scan.tfjs import scan_tfjs

        findings.extend(scan_tfjs(doc))
    return [replace(f, severity=ERROR) for f in findings] if strict else findings


def code_warnings(doc: ModelDocument, known: list[Finding], *, strict: bool = False) -> list[Finding]:
    """What `scan` finds, as `validate` reports it: warnings (errors where `scan --strict` would give one,
    with `strict`), without a custom-class finding on an entry `known` already reports."""
    reported = {finding.pointer for finding in known}
    return [
        finding if strict else replace(finding, severity=WARNING)
        for finding in scan_model(doc, strict=strict)
        if not (finding.rule == "custom-class" and finding.pointer in reported)
    ]


def scan_document(doc: ModelDocument) -> list[Finding]:
    """Every code-bearing place in the config (and a legacy file's training_config), in document order."""
    refs = {ref.pointer: ref for ref in doc.layers()}
    hits = list(walk(doc.envelope, "", {"", *refs}))
    training = _training_config(doc)
    if training is not None:
        hits.extend(walk({"training_config": training}, "", set()))
    return [_finding(hit, refs) for hit in hits]


def _training_config(doc: ModelDocument) -> object:
    """A legacy `.h5` file's `training_config` attribute (loss, metrics, optimizer), parsed."""
    text = doc.metadata.get("training_config")
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _finding(hit: Hit, refs: dict[str, LayerRef]) -> Finding:
    """The hit as a Finding inside the innermost layer whose entry holds it."""
    pointer = hit.pointer
    while pointer and pointer not in refs:
        pointer = pointer.rpartition("/")[0]
    ref = refs.get(pointer) if pointer else None
    if ref is None:
        return Finding(hit.severity, hit.pointer, hit.message, None, hit.class_name, rule=hit.rule)
    inside = hit.pointer[len(ref.pointer) :].split("/")
    key = inside[2] if len(inside) > 2 and inside[1] == "config" else None
    message = f"{key}: {hit.message}" if key else hit.message
    return Finding(hit.severity, hit.pointer, message, ref.path_str, ref.class_name, rule=hit.rule)


def walk(root: object, base: str, layers: set[str]) -> Iterator[Hit]:
    """Hits anywhere under `root`, in document order, without recursion (configs can be deep);
    `layers` holds the pointers of layer (and model) entries."""
    stack: list[tuple[object, str]] = [(root, base)]
    skipped: set[str] = set()
    while stack:
        value, pointer = stack.pop()
        if pointer in skipped:
            continue
        if isinstance(value, dict):
            hit, skip = classify(value, pointer, pointer in layers)
            if hit is not None:
                yield hit
            skipped.update(f"{pointer}/config/{key}" for key in skip)
            yield from _named_functions(value, pointer)
            yield from custom_objects(value, pointer, Hit)
            children = [(item, f"{pointer}/{_escape(key)}") for key, item in value.items()]
        elif isinstance(value, list):
            children = [(item, f"{pointer}/{index}") for index, item in enumerate(value)]
        else:
            if isinstance(value, str) and is_bytecode(value):
                message = f"marshalled Python bytecode (a serialized lambda): loading runs it{_names(value)}"
                yield Hit(pointer, "foreign-function", ERROR, message)
            continue
        stack.extend(child for child in reversed(children) if isinstance(child[0], dict | list | str))


def _escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def classify(node: dict, pointer: str, is_layer: bool) -> tuple[Hit | None, tuple[str, ...]]:
    """The hit for one serialized object (or None), and the config keys its hit already describes."""
    class_name = node.get("class_name")
    if not isinstance(class_name, str):
        return None, ()
    special = SPECIAL_LAYERS.get(class_name.rpartition(">")[2])
    if special is not None and isinstance(node.get("config"), dict) and _special_module(node):
        hit, skip = special(node, pointer)
        if hit is not None:
            return hit, skip
    if class_name == "__lambda__":
        message = f"a serialized Python lambda: loading runs its marshalled bytecode{_names(node)}"
        return Hit(pointer, "foreign-function", ERROR, message, class_name), ("code", "value")
    if class_name == "function":
        return function_hit(node, pointer), ()
    if class_name.startswith("__"):
        return None, ()
    return class_hit(node, pointer, is_layer), ()


def _special_module(node: dict) -> bool:
    """A layer class of Keras (or TF Hub's KerasLayer), not a custom class that shares its name."""
    module = node.get("module")
    return not isinstance(module, str) or is_keras_module(module) or module.startswith("tensorflow_hub")


def is_keras_module(module: str) -> bool:
    """True for a module of Keras or of its ecosystem packages (`keras_hub.src.models...`)."""
    return module.split(".", 1)[0] in KERAS_PACKAGES


def package_of(name: object) -> str | None:
    """`acme` for a registered name `acme>Scale`, else None."""
    if isinstance(name, str) and ">" in name:
        return name.split(">", 1)[0]
    return None


def class_hit(node: dict, pointer: str, is_layer: bool) -> Hit | None:
    """A custom registered class, a class from a foreign module, or (legacy files) an unknown layer."""
    class_name = node["class_name"]
    registered = node.get("registered_name")
    module = node.get("module") if isinstance(node.get("module"), str) else None
    package = package_of(registered) or package_of(class_name)
    shown = class_name.rpartition(">")[2]
    if package is not None:
        if package in KERAS_PACKAGES or _keras_as_custom(package, shown):
            return None
        name = registered if package_of(registered) else class_name
        return Hit(pointer, "custom-class", WARNING, f"needs code from {package!r} (class {name})", shown)
    if module is not None and not is_keras_module(module):
        message = (
            f"class {shown} from module {module!r}, outside Keras: Keras before 3.9 imports that module "
            "while loading, later versions need the class registered"
        )
        return Hit(pointer, "foreign-module", ERROR, message, shown)
    if is_layer and module is None and not is_keras_layer_class(class_name):
        message = f"class {shown} is not a Keras layer or model: loading needs the code that defines it"
        return Hit(pointer, "custom-class", WARNING, message, shown)
    return None


def _keras_as_custom(package: str, name: str) -> bool:
    """tf.keras 2.11-2.15 wrote its own optimizers as `Custom>Adam`: Keras code, not the user's."""
    return package == "Custom" and name in KERAS_FUNCTION_NAMES


def is_keras_layer_class(class_name: str) -> bool:
    """A built-in Keras 3 layer (one with a bundled schema), a model class, or a Keras 1/2 layer name."""
    from modelcfg_cli.schema_store import schema_names

    return class_name in MODEL_CLASSES or class_name in LEGACY_LAYER_NAMES or class_name in schema_names()


def function_hit(node: dict, pointer: str) -> Hit | None:
    """A serialized function (`class_name: function`) that is not a Keras built-in."""
    name = node.get("config")
    module = node.get("module") if isinstance(node.get("module"), str) else None
    package = package_of(name) or package_of(node.get("registered_name"))
    if package is not None:
        shown = name if package_of(name) else node.get("registered_name")
        if package in KERAS_PACKAGES or _keras_as_custom(package, str(shown).rpartition(">")[2]):
            return None
        return Hit(pointer, "custom-class", WARNING, f"needs code from {package!r} (function {shown})")
    if module is not None and is_keras_module(module):
        return None
    if module not in (None, "builtins"):
        message = (
            f"function {name!r} from module {module!r}, outside Keras: Keras before 3.9 imports that module "
            "while loading, later versions need the function registered"
        )
        return Hit(pointer, "foreign-function", ERROR, message)
    if name in KERAS_FUNCTION_NAMES or name in LEGACY_NAMES:
        return None
    if name in PYTHON_BUILTINS:
        message = f"Python's builtins.{name}, not a Keras function: older Keras calls it when the model runs"
        return Hit(pointer, "foreign-function", ERROR, message)
    message = f"function {name!r} is not a Keras built-in: loading needs the code that defines it"
    return Hit(pointer, "foreign-function", ERROR, message)


def _named_functions(node: dict, pointer: str) -> Iterator[Hit]:
    """Functions named by a plain string: activations in layer configs, losses and metrics in a compile
    or training config (`"loss": "my_loss"` needs code unless Keras knows the name)."""
    for key in ACTIVATION_KEYS:
        if isinstance(node.get(key), str):
            yield from _string_function(node[key], f"{pointer}/{key}", key)
    for compile_key in COMPILE_KEYS:
        compile_config = node.get(compile_key)
        if not isinstance(compile_config, dict):
            continue
        for key, what in COMPILE_FUNCTION_KEYS.items():
            for where, value in _strings(compile_config.get(key), f"{pointer}/{compile_key}/{key}"):
                yield from _string_function(value, where, what)


def _strings(value: object, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")
    elif isinstance(value, dict) and "class_name" not in value:  # per-output names, not an object
        for key, item in value.items():
            yield from _strings(item, f"{pointer}/{_escape(key)}")


def _string_function(name: str, pointer: str, what: str) -> Iterator[Hit]:
    package = package_of(name)
    if package is not None and package not in KERAS_PACKAGES:
        yield Hit(pointer, "custom-class", WARNING, f"needs code from {package!r} ({what} {name})")
    elif package is None and name not in KERAS_FUNCTION_NAMES and name not in LEGACY_NAMES:
        message = f"{what} {name!r} is not a Keras built-in: loading needs the code that registers it"
        yield Hit(pointer, "custom-class", WARNING, message)


def _names(value: object) -> str:
    """`` (names: tf, image; from model.py)`` for the bytecode in `value`, or an empty string."""
    names, filename = bytecode_names(value)
    parts = []
    if names:
        more = ", ..." if len(names) > 8 else ""
        parts.append("names: " + ", ".join(names[:8]) + more)
    if filename:
        parts.append(f"written in {filename}")
    return f" ({'; '.join(parts)})" if parts else ""


def lambda_hit(node: dict, pointer: str) -> tuple[Hit, tuple[str, ...]]:
    """A Lambda layer, whatever form its function takes (Keras 3 object, Keras 2 list or name)."""
    config = node["config"]
    function = config.get("function")
    if isinstance(function, dict) and function.get("class_name") == "function":
        what = f"calls Python function {function.get('config')!r} (module {function.get('module')!r})"
    elif isinstance(function, str) and config.get("function_type") == "function":
        what = f"calls Python function {function!r} (module {config.get('module')!r})"
    elif isinstance(function, str | list) and not _has_bytecode(function):
        what = f"runs Python code stored as text ({_shown(function)})"
    elif function is not None:
        what = f"runs marshalled Python bytecode{_names(function)}"
    else:
        what = "runs Python code"
    if config.get("output_shape_type") == "lambda" or _is_lambda_object(config.get("output_shape")):
        what += "; its output_shape is bytecode too"
    return Hit(pointer, "lambda", ERROR, f"Lambda layer: loading {what}"), (
        "function",
        "output_shape",
        "mask",
    )


def _has_bytecode(value: object) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and is_bytecode(item) for item in items)


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_lambda_object(value: object) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _callable_label(value: object) -> str:
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        return f"a lambda (marshalled bytecode{_names(value)})"
    if isinstance(value, dict):
        config = value.get("config")
        name = config if isinstance(config, str) else value.get("class_name")
        return f"{value.get('module')}.{name}"
    return repr(value)


def tfsm_hit(node: dict, pointer: str) -> tuple[Hit, tuple[str, ...]]:
    config = node["config"]
    message = (
        f"loads and runs the TensorFlow SavedModel at {config.get('filepath')!r} "
        f"(endpoint {config.get('call_endpoint', 'serve')!r}): its graph is code from outside the file"
    )
    return Hit(pointer, "external-graph", ERROR, message), ()


def torch_hit(node: dict, pointer: str) -> tuple[Hit, tuple[str, ...]]:
    from modelcfg_cli.scan.payloads import torch_module_text

    module = node["config"].get("module")
    stored = torch_module_text(module) if isinstance(module, str) else "a module"
    message = f"unpickles a PyTorch module with torch.load ({stored} stored in the config)"
    return Hit(pointer, "external-graph", ERROR, message), ("module",)


def jax_hit(node: dict, pointer: str) -> tuple[Hit, tuple[str, ...]]:
    config = node["config"]
    if "module" in config:
        method = config.get("method")
        shown = f", method {method!r}" if isinstance(method, str) else ""
        message = f"runs the Flax module {_callable_label(config['module'])}{shown} from user code"
        return Hit(pointer, "external-graph", ERROR, message), ("module", "method")
    calls = ", ".join(_callable_label(config.get(key)) for key in ("call_fn", "init_fn") if config.get(key))
    return Hit(pointer, "external-graph", ERROR, f"calls JAX functions from user code: {calls}"), (
        "call_fn",
        "init_fn",
    )


def hub_hit(node: dict, pointer: str) -> tuple[Hit | None, tuple[str, ...]]:
    handle = node["config"].get("handle")
    if handle is None:
        return None, ()
    message = (
        f"loads and runs the TensorFlow Hub model at {handle!r}: its graph is code from outside the file"
    )
    return Hit(pointer, "external-graph", ERROR, message), ()


def tf_op_hit(node: dict, pointer: str) -> tuple[Hit, tuple[str, ...]]:
    config = node["config"]
    if node["class_name"] == "TensorFlowOpLayer":
        node_def = config.get("node_def") if isinstance(config.get("node_def"), dict) else {}
        message = f"runs TensorFlow op {node_def.get('op')!r} from a NodeDef in the config (needs TensorFlow)"
        return Hit(pointer, "external-graph", WARNING, message), ()
    message = f"calls tf.{config.get('function')} by name (a tf.keras op layer; needs TensorFlow)"
    return Hit(pointer, "foreign-function", WARNING, message), ()


SPECIAL_LAYERS = {
    "Lambda": lambda_hit,
    "TFSMLayer": tfsm_hit,
    "TorchModuleWrapper": torch_hit,
    "JaxLayer": jax_hit,
    "FlaxLayer": jax_hit,
    "KerasLayer": hub_hit,
    "TFOpLambda": tf_op_hit,
    "SlicingOpLambda": tf_op_hit,
    "TensorFlowOpLayer": tf_op_hit,
}
