"""Upgrade a Keras 1 / Keras 2 / tf.keras model config to what Keras 3 `from_config` accepts (no Keras).

A pure transform on plain data: `upgrade_envelope(envelope, metadata) -> (envelope, notes)`. Layer classes
Keras 3 does not ship (custom layers, TensorFlowOpLayer) and Lambda layers are left as they are and named
in the notes; the clone step then refuses them with the fix (`--import MODULE`, `--unsafe`).
"""

from __future__ import annotations

import copy
from typing import Any

from modelcfg_cli.document import (
    KERAS_TENSOR,
    MODEL_CLASSES,
    ModelDocument,
    config_of,
    dtype_policy,
    is_model_entry,
    is_sequential,
    layer_name,
    model_layers,
)
from modelcfg_cli.errors import UpgradeRefused
from modelcfg_cli.legacy.compile_config import upgrade_compile_config
from modelcfg_cli.legacy.dropped import dropped_note
from modelcfg_cli.legacy.names import (
    BASE_KWARGS,
    CLASS_RENAMES,
    INITIALIZERS,
    KWARG_RENAMES,
    LEGACY_MODEL_MODULES,
    MERGE_MODES,
    PER_CLASS_RENAMES,
)
from modelcfg_cli.legacy.slashes import rename_slashed
from modelcfg_cli.legacy.tfkeras import is_tfkeras_entry, prepare_tfkeras
from modelcfg_cli.schema_store import load_schema, schema_names

FUNCTIONAL = {
    "module": "keras.src.models.functional",
    "class_name": "Functional",
    "registered_name": "Functional",
}
SEQUENTIAL = {"module": "keras", "class_name": "Sequential", "registered_name": None}
RECURRENT = frozenset(
    {"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional"}
)
SHAPE_KWARGS = ("batch_input_shape", "input_shape", "input_dim", "batch_size", "input_length", "input_dtype")


def needs_upgrade(doc) -> bool:
    """True when the source predates Keras 3: an older `keras_version`, or legacy markers without one."""
    version = str(doc.metadata.get("keras_version") or "")
    if version[:1].isdigit():
        return int(version.split(".")[0]) < 3
    return _has_legacy_markers(doc.envelope)


def _has_legacy_markers(entry: dict) -> bool:
    if "module" not in entry or isinstance(entry.get("config"), list) or is_tfkeras_entry(entry):
        return True
    return any(_layer_is_legacy(layer) for layer in _layers(entry))


def _layer_is_legacy(entry: dict) -> bool:
    config = config_of(entry)
    if "module" not in entry or entry.get("class_name") in CLASS_RENAMES or "batch_input_shape" in config:
        return True
    if is_tfkeras_entry(entry):
        return True
    return is_model_entry(entry) and _has_legacy_markers(entry)


def upgrade_envelope(envelope: dict, metadata: dict | None = None) -> tuple[dict, list[str]]:
    """A Keras 3 version of a legacy serialized model, and one note per rewrite that needs a human."""
    notes: list[str] = []
    model = copy.deepcopy(envelope)
    if not is_model_entry(model) and model.get("class_name") not in MODEL_CLASSES:
        return model, [f"{model.get('class_name')}: a subclassed model; its code is needed (--import MODULE)"]
    rename_slashed(model, notes)
    prepare_tfkeras(model, notes)
    _upgrade_model(model, notes, "")
    upgrade_compile_config(model, notes)
    return model, _unique(notes)


def upgraded(doc: ModelDocument) -> ModelDocument:
    """`doc` with its envelope upgraded (unchanged when it is already Keras 3)."""
    return upgraded_with_notes(doc)[0]


def upgraded_with_notes(doc: ModelDocument) -> tuple[ModelDocument, list[str]]:
    """`doc` upgraded, and the upgrade's notes (the dropped values among them: `dropped.upgrade_warnings`)."""
    if not needs_upgrade(doc):
        return doc, []
    try:
        envelope, notes = upgrade_envelope(doc.envelope, doc.metadata)
    except UpgradeRefused as exc:
        raise UpgradeRefused(doc.label, exc.message) from None
    return ModelDocument(envelope, doc.metadata, doc.label, doc.path, origin=doc.origin), notes


def _upgrade_model(entry: dict, notes: list[str], where: str) -> None:
    config: Any = entry.get("config")
    if isinstance(config, list):
        config = {"name": entry.get("name") or "sequential", "layers": config}
        entry["config"] = config
    sequential = entry.get("class_name") == "Sequential" or is_sequential(entry)
    entry.update(SEQUENTIAL if sequential else FUNCTIONAL)
    layers = config.get("layers", [])
    for index, layer in enumerate(layers if isinstance(layers, list) else []):
        if _is_layer(layer):
            _upgrade_layer(layer, notes, f"{where}{layer_name(layer)}", first=sequential and index == 0)
    if sequential:
        _explicit_input(config)


def _upgrade_layer(entry: dict, notes: list[str], where: str, first: bool = False) -> None:
    if is_model_entry(entry) or entry.get("module", "").split(".")[-1] in LEGACY_MODEL_MODULES:
        entry.pop("module", None)
        _upgrade_model(entry, notes, where + "/")
        _upgrade_nodes(entry)
        return
    config = entry.setdefault("config", {})
    _rename_class(entry, notes, where)
    class_name = entry["class_name"]
    if class_name == "Lambda":
        _upgrade_lambda(config)
        notes.append(f"{where}: Lambda layer kept as Python bytecode (needs --unsafe, same Python version)")
    _upgrade_nodes(entry)
    if class_name not in _known_layers():
        entry.pop("module", None)
        if class_name != "Lambda":
            notes.append(
                f"{where}: {class_name} is not a Keras 3 layer; pass --import MODULE that defines it"
            )
        return
    entry["module"] = "keras.layers"
    entry["registered_name"] = None
    _rename_kwargs(class_name, config)
    _fix_values(class_name, config, notes, where)
    if class_name != "InputLayer" and not first:
        for key in SHAPE_KWARGS:
            if key != "input_dim" or class_name != "Embedding":
                config.pop(key, None)
    _split_bidirectional(class_name, config)
    for key in ("layer", "backward_layer"):
        if _is_layer(config.get(key)):
            _upgrade_layer(config[key], notes, f"{where}/{layer_name(config[key]) or key}")
    _drop_unknown(class_name, config, notes, where, keep=SHAPE_KWARGS if first else ())


def _upgrade_lambda(config: dict) -> None:
    """Keras 2 stored `function` as [code, defaults, closure]; Keras 3 as a `__lambda__` object."""
    function = config.get("function")
    if config.pop("function_type", None) == "lambda" and isinstance(function, list) and len(function) == 3:
        code, defaults, closure = function
        config["function"] = {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": defaults, "closure": closure},
        }
    config.pop("output_shape_type", None)


def _upgrade_nodes(entry: dict) -> None:
    """Legacy list nodes become Keras 3 `{args, kwargs}`; extra tensors fed to an RNN: its initial state."""
    nodes = entry.get("inbound_nodes")
    if not isinstance(nodes, list):
        return
    recurrent = entry.get("class_name") in RECURRENT
    for index, node in enumerate(nodes):
        if not (isinstance(node, list) and node and all(isinstance(t, list) and len(t) >= 3 for t in node)):
            continue
        tensors = [_keras_tensor(t) for t in node]
        kwargs = next((t[3] for t in reversed(node) if len(t) > 3 and isinstance(t[3], dict)), {})
        if recurrent and len(tensors) > 1:
            nodes[index] = {"args": [tensors[0]], "kwargs": {**kwargs, "initial_state": tensors[1:]}}
        else:
            nodes[index] = {"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": dict(kwargs)}


def _keras_tensor(edge: list) -> dict:
    history = [edge[0], edge[1], edge[2]]
    return {
        "class_name": KERAS_TENSOR,
        "config": {"shape": [], "dtype": "float32", "keras_history": history},
    }


def _split_bidirectional(class_name: str, config: dict) -> None:
    """Keras 2 built the backward layer by flipping `go_backwards`; Keras 3 needs it spelled out then."""
    inner = config.get("layer")
    if (
        class_name != "Bidirectional"
        or not isinstance(inner, dict)
        or not isinstance(inner.get("config"), dict)
    ):
        return
    base = str(inner["config"].get("name")).removeprefix("forward_")
    inner["config"]["name"] = f"forward_{base}"
    if inner["config"].get("go_backwards") and not config.get("backward_layer"):
        backward = copy.deepcopy(inner)
        backward["config"]["go_backwards"] = False
        backward["config"]["name"] = f"backward_{base}"
        config["backward_layer"] = backward


def _rename_class(entry: dict, notes: list[str], where: str) -> None:
    class_name = entry.get("class_name")
    config = entry["config"]
    if class_name == "Merge":
        mode = config.pop("mode", "sum")
        if not isinstance(mode, str) or mode not in MERGE_MODES:
            notes.append(f"{where}: Merge mode {mode!r} has no Keras 3 layer; rewrite it by hand")
            return
        entry["class_name"] = MERGE_MODES[mode]
        if mode == "concat":
            config["axis"] = config.pop("concat_axis", -1)
        if mode in ("dot", "cos"):
            config["axes"] = config.pop("dot_axes", -1)
            config["normalize"] = mode == "cos"
    elif class_name in CLASS_RENAMES:
        entry["class_name"] = CLASS_RENAMES[class_name]
    elif class_name == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")


def _rename_kwargs(class_name: str, config: dict) -> None:
    renames = {**KWARG_RENAMES, **PER_CLASS_RENAMES.get(class_name, {})}
    for old, new in renames.items():
        if old in config and new not in config:
            config[new] = config.pop(old)
    if "nb_row" in config:
        config["kernel_size"] = [config.pop("nb_row"), config.pop("nb_col", config.get("nb_row"))]
    if "nb_depth" in config:
        config.pop("nb_depth")


def _fix_values(class_name: str, config: dict, notes: list[str], where: str) -> None:
    data_format = config.get("data_format")
    if data_format in ("tf", "th"):
        config["data_format"] = "channels_last" if data_format == "tf" else "channels_first"
        if data_format == "th":
            notes.append(f"{where}: channels_first (Theano) weights are not transposed; check the outputs")
    if class_name == "GRU":
        config.setdefault("reset_after", False)
    if "hard_sigmoid" in (config.get("activation"), config.get("recurrent_activation")):
        notes.append(f"{where}: hard_sigmoid is x/6 + 0.5 in Keras 3 (was 0.2x + 0.5); outputs differ")
    if isinstance(config.get("forget_bias_init"), str):
        config["unit_forget_bias"] = config.pop("forget_bias_init") == "one"
    dtype = config.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name") in ("Policy", "DTypePolicy"):
        config["dtype"] = dtype_policy(dtype.get("config", {}).get("name", "float32"))
    for key in ("activity_regularizer", "dtype"):
        if key in config and config[key] is None:
            del config[key]
    if class_name in RECURRENT:
        config.pop("implementation", None)
    for key, value in list(config.items()):
        if key.endswith("initializer") and isinstance(value, str):
            config[key] = {"class_name": INITIALIZERS.get(value, _camel(value)), "config": {}}
        if key.endswith("initializer") and isinstance(value, dict) and isinstance(value.get("config"), dict):
            value["config"].pop("dtype", None)
            if value["config"].get("distribution") == "normal":
                value["config"]["distribution"] = "truncated_normal"
        if key.endswith("regularizer") and isinstance(value, dict) and "class_name" not in value:
            config[key] = {
                "class_name": "L1L2",
                "config": {"l1": value.get("l1", 0.0), "l2": value.get("l2", 0.0)},
            }
    if (
        class_name == "BatchNormalization"
        and isinstance(config.get("axis"), list)
        and len(config["axis"]) == 1
    ):
        config["axis"] = config["axis"][0]


def _drop_unknown(class_name: str, config: dict, notes: list[str], where: str, keep: tuple = ()) -> None:
    schema = load_schema(class_name) or {}
    properties = set(schema.get("properties", {}))
    # A layer without `**kwargs` (SpatialDropout1D/2D/3D) takes none of the base arguments it does not list.
    base = BASE_KWARGS if "trainable" in properties else (BASE_KWARGS - {"trainable"})
    known = properties | base | set(keep)
    if schema.get("additionalProperties", True) is not False:
        return
    for key in [k for k in config if k not in known]:
        note = dropped_note(where, class_name, key, config.pop(key))
        if note:
            notes.append(note)


def _explicit_input(config: dict) -> None:
    """A Sequential whose first layer carries the input shape gets an explicit InputLayer instead."""
    layers = config.get("layers", [])
    if not layers or not isinstance(layers[0], dict) or layers[0].get("class_name") == "InputLayer":
        return
    first = layers[0].get("config", {})
    dtype = first.get("input_dtype") or "float32"
    shape = first.pop("batch_input_shape", None)
    if shape is None and first.get("input_shape") is not None:
        shape = [first.get("batch_size"), *first["input_shape"]]
    if shape is None and first.get("input_dim") is not None:
        length = first.get("input_length")
        shape = [None, first["input_dim"]] if layers[0]["class_name"] != "Embedding" else [None, length]
    for key in SHAPE_KWARGS:
        if key != "input_dim" or layers[0]["class_name"] != "Embedding":
            first.pop(key, None)
    if shape is None:
        return
    name = f"{layer_name(layers[0])}_input"
    layers.insert(
        0,
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": {"batch_shape": list(shape), "dtype": dtype, "sparse": False, "name": name},
            "registered_name": None,
        },
    )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _layers(entry: dict) -> list:
    return [layer for layer in model_layers(entry) if _is_layer(layer)]


def _is_layer(entry: object) -> bool:
    """A serialized layer this module can rewrite; anything else is left for `validate` to report."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("class_name"), str)
        and isinstance(entry.get("config", {}), dict | list)
        and isinstance(entry.get("module", ""), str)
    )


def _known_layers() -> frozenset[str]:
    return frozenset(name for name in schema_names() if "/" not in name)


def _unique(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))
