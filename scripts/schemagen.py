"""Build `schemas/` from the installed Keras: `python scripts/schemagen.py [OUT_DIR]` (`make schemas`).

What a field accepts is asked of Keras, the way loading a model asks it: for each layer class a sample
instance is serialized, and `cls.from_config(sample config + one changed field)` is called with candidate
forms of that field (an int where a tuple is stored, the flat and nested list forms, `None`, a float, a
negative or zero value, an upper-case enum value, one more list item). A form becomes valid when Keras
builds the layer from it; ranges, enums and arity are kept only where Keras rejects the probe, so the
schemas never say more than Keras does. Names (activations, initializers, regularizers, constraints,
dtypes, quantized dtype policies) come from the lookup tables Keras's own `get()` functions read, each
string kept when `get(name)` accepts it. Classes whose sample config `from_config` cannot rebuild (a
`Lambda` holding a Python function) are probed through their constructor instead.
Keras is imported inside functions only, and only the modules the schemas need (never Keras's tests).
"""

from __future__ import annotations

import inspect
import json
import sys
import warnings
from pathlib import Path

from modelcfg_cli.schema_store import BASE_URI

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
OP_MODULES = (
    "keras.src.ops.numpy",
    "keras.src.ops.math",
    "keras.src.ops.nn",
    "keras.src.ops.core",
    "keras.src.ops.image",
    "keras.src.ops.linalg",
    "keras.src.activations.activations",
)
BASE_KEYS = ("name", "trainable", "dtype", "autocast", "activity_regularizer", "input_dim", "input_shape")
LEGACY_KEYS = (
    *("implementation", "vocabulary_size", "rms_scaling", "num_tokens", "input_length", "newshape"),
    *("alpha", "has_input_vocabulary", "time_major", "input_dtype"),
)
TUPLE_KEYS = (
    *("kernel_size", "strides", "dilation_rate", "pool_size", "size", "output_padding", "output_size"),
    *("padding", "cropping"),
)
ENUM_KEYS = ("padding", "data_format", "interpolation", "merge_mode", "output_mode", "fill_mode")
ENUM_CANDIDATES = (
    *("valid", "same", "causal", "full", "channels_first", "channels_last"),
    *("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "mitchellcubic", "gaussian"),
    *("sum", "mul", "concat", "ave", "int", "one_hot", "multi_hot", "count", "tf_idf"),
    *("reflect", "wrap", "constant"),
)
SHAPE = {"type": "array", "items": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}}


RATE = {"rate": 0.1}


def sample_args(name: str, keras) -> dict:
    """Arguments that make a valid instance of layer class `name` (its required ones)."""
    L = keras.layers
    table = _sample_table(L)
    if name in table:
        value = table[name]
        return value() if callable(value) else dict(value)
    return _sample_by_family(name, L)


def _sample_table(L) -> dict:
    """Required arguments of the layer classes that need particular ones (callables build sub-layers)."""
    rate = RATE
    crop = {"height": 2, "width": 2}
    return {
        "AlphaDropout": rate,
        "Bidirectional": lambda: {"layer": L.LSTM(2)},
        "CategoryEncoding": {"num_tokens": 4},
        "CenterCrop": crop,
        "Discretization": {"bin_boundaries": [0.0, 1.0]},
        "Dot": {"axes": 1},
        "Dropout": rate,
        "EinsumDense": {"equation": "ab,bc->ac", "output_shape": 4},
        "Embedding": {"input_dim": 4, "output_dim": 2},
        "ReversibleEmbedding": {"input_dim": 4, "output_dim": 2},
        "GaussianDropout": rate,
        "GaussianNoise": {"stddev": 0.1},
        "GroupedQueryAttention": {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1},
        "HashedCrossing": {"num_bins": 4},
        "Hashing": {"num_bins": 4},
        "InputLayer": {"shape": (4,)},
        "Lambda": lambda: {"function": abs},
        "MaxNumBoundingBoxes": {"max_number": 2},
        "MultiHeadAttention": {"num_heads": 2, "key_dim": 2},
        "Permute": {"dims": (1,)},
        "Pipeline": {"layers": []},
        "RNN": lambda: {"cell": L.LSTMCell(2)},
        "RandomCrop": crop,
        "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
        "RandomZoom": {"height_factor": 0.1},
        "RepeatVector": {"n": 2},
        "Rescaling": {"scale": 1.0},
        "Reshape": {"target_shape": (4,)},
        "Resizing": crop,
        "SpectralNormalization": lambda: {"layer": L.Dense(2)},
        "StackedRNNCells": lambda: {"cells": [L.LSTMCell(2)]},
        "TimeDistributed": lambda: {"layer": L.Dense(2)},
        "Wrapper": lambda: {"layer": L.Dense(2)},
        "StochasticDepth": {"drop_path_rate": 0.1},
        "LayerScale": {"init_values": 1e-6, "projection_dim": 4},
        "CustomScaleLayer": {"scale": 0.1},
    }


def _sample_by_family(name: str, L) -> dict:
    """Required arguments shared by a family of layer classes (convolutions, pooling, RNNs, ...)."""
    if name.startswith(("Conv", "SeparableConv")):
        return {"filters": 2, "kernel_size": 3}
    if name.startswith("DepthwiseConv"):
        return {"kernel_size": 3}
    if name.startswith(("AveragePooling", "MaxPooling")):
        return {"pool_size": 2}
    if name.startswith("Adaptive"):
        return {"output_size": 2}
    if name.startswith("SpatialDropout"):
        return dict(RATE)
    if name.startswith("Random") and "factor" in inspect.signature(getattr(L, name).__init__).parameters:
        return {"factor": 0.1}
    if name in ("Dense", "GRU", "GRUCell", "LSTM", "LSTMCell", "SimpleRNN", "SimpleRNNCell"):
        return {"units": 2}
    return {}


class Prober:
    """Asks Keras whether a config is accepted: `build(base config + changes)` must not raise."""

    def __init__(self, build, base_factory, required=None):
        self.build = build
        self.base_factory = base_factory
        self.required = required

    def accepts(self, **changes) -> bool:
        try:
            self.build({**self.base_factory(), **changes})
        except Exception:
            return False
        return True

    def accepts_key(self, key: str, value) -> bool:
        """Whether Keras takes `key` at all: with the sample config, or with only the required fields
        (a keyword can exclude a stored one, as `input_shape` excludes `batch_shape`)."""
        if self.accepts(**{key: value}):
            return True
        if self.required is None:
            return False
        base = {k: v for k, v in self.base_factory().items() if k in self.required}
        try:
            self.build({**base, key: value})
        except Exception:
            return False
        return True


def make_prober(cls, keras) -> tuple[Prober | None, dict, str]:
    """(prober, sample config, serialized class name) for a layer class; the prober calls `from_config`
    as loading a model does, or the constructor when `from_config` cannot rebuild the sample."""
    name = cls.__name__
    try:
        serialized = keras.saving.serialize_keras_object(cls(**sample_args(name, keras)))
        text = json.dumps(serialized["config"])
    except Exception:
        return None, {}, name
    prober = Prober(cls.from_config, lambda: json.loads(text), accepted_keys(cls)[1])
    if not prober.accepts():
        prober = Prober(lambda config: cls(**config), lambda: sample_args(name, keras))
    return prober, json.loads(text), serialized["class_name"]


def ref(name: str) -> dict:
    return {"$ref": f"../defs/{name}.json"}


def field_schema(key: str, value, prober: Prober | None, default) -> dict:
    """The schema of one config field, from its sample value and what Keras accepts."""
    if key == "dtype" and prober is not None and not prober.accepts(dtype="mixed_float16"):
        return ref("dtype")  # a plain dtype, not a policy (InputLayer)
    by_name = _named_field(key)
    if by_name is not None:
        return by_name
    if prober is None:
        return _typed(value if value is not None else default)
    schema = _probed(key, value, prober)
    if schema and value is not None and prober.accepts(**{key: None}):
        options = schema["anyOf"] if list(schema) == ["anyOf"] else [schema]
        schema = {"anyOf": [*options, {"type": "null"}]}
    return schema


def _named_field(key: str) -> dict | None:
    for suffix in ("initializer", "regularizer", "constraint"):
        if key.endswith("_" + suffix):
            return ref(suffix)
    if key in ("activation", "recurrent_activation"):
        return ref("activation")
    fixed = {
        "name": {"type": "string"},
        "trainable": {"type": "boolean"},
        "autocast": {"type": "boolean"},
        "dtype": ref("dtype_policy"),
        "input_shape": {"anyOf": [SHAPE, {"type": "null"}]},
        "batch_input_shape": {"anyOf": [SHAPE, {"type": "null"}]},
        "batch_shape": {"anyOf": [SHAPE, {"type": "null"}]},
        "input_dim": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        "layer": ref("layer_entry"),
        "backward_layer": {"anyOf": [ref("layer_entry"), {"type": "null"}]},
    }
    return fixed.get(key)


def _typed(value) -> dict:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int | float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list | tuple):
        return {"type": "array"}
    return {}


def _probed(key: str, value, prober: Prober) -> dict:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int | float):
        return _probed_number(key, value, prober)
    if isinstance(value, str):
        return _probed_string(key, value, prober)
    if isinstance(value, list | tuple):
        return _probed_list(key, json.loads(json.dumps(value)), prober)
    return {}


def _probed_number(key: str, value, prober: Prober) -> dict:
    schema = _number_range(key, value, prober)
    if prober.accepts(**{key: [value, value]}):
        return {"anyOf": [schema, {"type": "array"}]}
    if isinstance(value, int) and key in TUPLE_KEYS:
        return {"anyOf": [schema, {"type": "array", "items": {"type": "integer"}}]}
    return schema


def _number_range(key: str, value, prober: Prober) -> dict:
    """`integer` or `number`, with the bounds Keras enforces for `key`."""
    schema: dict = {"type": "number"}
    if isinstance(value, int) and not prober.accepts(**{key: value + 0.5}):
        schema["type"] = "integer"
    if not prober.accepts(**{key: -3 if isinstance(value, int) else -0.5}):
        if not prober.accepts(**{key: 0}):
            schema["minimum" if schema["type"] == "integer" else "exclusiveMinimum"] = (
                1 if schema["type"] == "integer" else 0
            )
        else:
            schema["minimum"] = 0
    if isinstance(value, float) and 0 <= value <= 1 and not prober.accepts(**{key: 1.5}):
        schema["maximum" if prober.accepts(**{key: 1.0}) else "exclusiveMaximum"] = 1
    return schema


def _probed_string(key: str, value: str, prober: Prober) -> dict:
    if key not in ENUM_KEYS or prober.accepts(**{key: "no_such_value"}):
        return {} if prober.accepts(**{key: 1}) else {"type": "string"}
    allowed = [c for c in ENUM_CANDIDATES if prober.accepts(**{key: c})]
    if value not in allowed:
        allowed.append(value)
    schema: dict = {"enum": allowed}
    if prober.accepts(**{key: value.upper()}):
        schema = {
            "type": "string",
            "pattern": "^(?i:" + "|".join(allowed) + ")$",
            "x-expect": "one of " + ", ".join(repr(v) for v in allowed) + " (any case)",
        }
    if prober.accepts(**{key: [[1, 1]]}):
        return {"anyOf": [schema, {"type": "array"}]}
    return schema


def _probed_list(key: str, value: list, prober: Prober) -> dict:
    """A stored list: its own form, the flat form of a nested one (`((1, 1), (2, 2))` as `(1, 2)`) and
    the single number Keras expands into it (`padding: 3`), each kept when Keras takes it."""
    ints = [x for x in _leaves(value) if isinstance(x, int) and not isinstance(x, bool)]
    nested = bool(value) and all(isinstance(v, list) and len(v) == len(value[0]) for v in value)
    if nested and len(ints) == len(value) * len(value[0]):
        item = _probed_tuple(key, value[0], prober, wrap=lambda inner: [inner] * len(value))
        array = {"type": "array", "items": item}
        if not prober.accepts(**{key: [value[0]] * (len(value) + 1)}):
            array.update(minItems=len(value), maxItems=len(value))
        return _or_single_number(key, value, array, prober)
    if key in TUPLE_KEYS and value and len(ints) == len(value):
        return _probed_tuple(key, value, prober)
    return _or_single_number(key, value, {"type": "array"}, prober)


def _or_single_number(key: str, value: list, array: dict, prober: Prober) -> dict:
    numbers = [x for x in _leaves(value) if isinstance(x, int | float) and not isinstance(x, bool)]
    single = max((abs(x) for x in numbers), default=None)
    if single is None or not prober.accepts(**{key: single}):
        return array
    return {"anyOf": [_number_range(key, single, prober), array]}


def _leaves(value) -> list:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _probed_tuple(key: str, value: list, prober: Prober, wrap=lambda v: v) -> dict:
    """A list of ints of fixed or free length (`kernel_size`); `wrap` places it in the field's value."""
    n = len(value)

    def accepts(candidate) -> bool:
        return prober.accepts(**{key: wrap(candidate)})

    item: dict = {"type": "integer"}
    if not accepts([0] * n):
        item["minimum"] = 1
    elif not accepts([-1] * n):
        item["minimum"] = 0
    array: dict = {"type": "array", "items": item}
    if not accepts([1] * (n + 1)):
        array.update(minItems=n, maxItems=n)
    if accepts(1):
        return {"anyOf": [dict(item), array]}
    return array


def accepted_keys(cls) -> tuple[list[str], list[str], bool]:
    """(named __init__ parameters, required ones, whether **kwargs is taken)."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    named = [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    required = [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return named, required, any(p.kind == p.VAR_KEYWORD for p in params)


def layer_schema(cls, keras) -> dict:
    """The schema of one `keras.layers` class's config."""
    named, required, has_kwargs = accepted_keys(cls)
    params = inspect.signature(cls.__init__).parameters
    prober, config, title = make_prober(cls, keras)
    keys = list(dict.fromkeys([*config, *named]))
    if has_kwargs:
        keys += [k for k in BASE_KEYS if k not in keys and (prober is None or _accepts_base(prober, k))]
        if "input_shape" in keys and "batch_input_shape" not in keys:
            keys.append("batch_input_shape")
    if prober is not None and has_kwargs:
        keys += [k for k in LEGACY_KEYS if k not in keys and _accepts_legacy(prober, k)]
    properties = {}
    for key in keys:
        default = params[key].default if key in params else None
        default = None if default is inspect.Parameter.empty else default
        properties[key] = field_schema(key, config.get(key, default), prober, default)
    closed = prober is not None and not prober.accepts(no_such_argument=1)
    return _document(f"layers/{title}.json", title, cls, properties, required, closed)


def _accepts_legacy(prober: Prober, key: str) -> bool:
    """Keras 2 keywords some layers still take (and drop or convert), e.g. LSTM's `implementation`."""
    return any(prober.accepts_key(key, value) for value in (1, 0.3, True, (4,)))


def _accepts_base(prober: Prober, key: str) -> bool:
    values = {"input_dim": 4, "input_shape": (4,), "activity_regularizer": None, "autocast": True}
    return prober.accepts_key(key, values.get(key))


def op_schema(cls) -> dict:
    """The schema of an op layer (e.g. `keras.src.ops.numpy.Add`) as Functional configs store it."""
    named, required, has_kwargs = accepted_keys(cls)
    params = inspect.signature(cls.__init__).parameters
    properties = {"name": {"type": ["string", "null"]}}
    for key in named:
        default = params[key].default
        if isinstance(default, bool):
            properties[key] = {"type": ["boolean", "null"]}
        elif isinstance(default, str):
            properties[key] = {"type": ["string", "null"]}
        else:
            properties.setdefault(key, {})
    key = op_key(cls.__module__, cls.__name__)
    return _document(f"layers/{key}.json", key, cls, properties, required, not has_kwargs)


def op_key(module: str, class_name: str) -> str:
    """`keras.src.ops.numpy` + `Add` -> `ops.numpy.Add` (the schema name of an op layer)."""
    return (
        module.removeprefix("keras.src.").replace("activations.activations", "activations") + "." + class_name
    )


def _document(path: str, title: str, cls, properties: dict, required: list, closed: bool) -> dict:
    doc = {
        "$schema": SCHEMA_DRAFT,
        "$id": BASE_URI + path,
        "title": title,
        "description": f"Config of {cls.__module__}.{cls.__name__}.",
        "type": "object",
        "properties": properties,
    }
    if required:
        doc["required"] = required
    doc["additionalProperties"] = not closed
    return doc


def _serialized_object(config_types: list[str], **extra_properties: dict) -> dict:
    """The schema of a serialized Keras object: class_name and config required, module and
    registered_name optional strings, plus `extra_properties`."""
    return {
        "type": "object",
        "required": ["class_name", "config"],
        "properties": {
            "module": {"type": ["string", "null"]},
            "class_name": {"type": "string"},
            "config": {"type": config_types},
            "registered_name": {"type": ["string", "null"]},
            **extra_properties,
        },
    }


def _serialized(class_names: list[str], module: str) -> dict:
    """A serialized object whose class must be a known one when it claims to be a Keras built-in."""
    return {
        **_serialized_object(["object", "null"]),
        "if": {
            "properties": {
                "module": {"enum": [module, None]},
                "registered_name": {"not": {"type": "string", "pattern": ">"}},
            }
        },
        "then": {"properties": {"class_name": {"enum": class_names}}},
    }


def defs_schemas(keras) -> dict[str, dict]:
    """The shared `$ref` targets: initializers, regularizers, constraints, activations, dtypes, layers."""
    out = {name: _object_def(name, module, example) for name, module, example in NAMED_OBJECTS}
    from keras.src import activations

    out["activation"] = {
        "x-expect": "an activation name such as 'relu' or a serialized function",
        "anyOf": [
            {"type": "null"},
            {"enum": _names_taken(activations)},
            {"type": "object", "required": ["class_name"]},
        ],
    }
    out["dtype_policy"] = dtype_policy_def()
    out["dtype"] = {
        "x-expect": "a dtype name such as 'float32'",
        "anyOf": [{"type": "null"}, {"enum": dtype_names()}],
    }
    out["layer_entry"] = {
        "x-expect": "a serialized layer (an object with class_name and config)",
        **_serialized_object(["object", "array"]),
    }
    return {
        name: {"$schema": SCHEMA_DRAFT, "$id": f"{BASE_URI}defs/{name}.json", "title": name, **body}
        for name, body in out.items()
    }


NAMED_OBJECTS = (
    ("initializer", "keras.initializers", "glorot_uniform"),
    ("regularizer", "keras.regularizers", "l2"),
    ("constraint", "keras.constraints", "max_norm"),
)


def _object_def(name: str, module: str, example: str) -> dict:
    """Names `get()` takes as a string, or a serialized object (old `{class_name, config}` form too)
    whose class_name is one of the names Keras looks up (every alias: `ones`, `Ones`)."""
    import importlib

    package = importlib.import_module(module.replace("keras.", "keras.src.", 1))
    article = "an" if name[0] in "aeiou" else "a"
    return {
        "x-expect": f"{article} {name} name such as {example!r} or a serialized {name} object",
        "anyOf": [
            {"type": "null"},
            {"enum": _names_taken(package)},
            _serialized(sorted(package.ALL_OBJECTS_DICT), module),
        ],
    }


def _names_taken(package) -> list[str]:
    """The names in `package.ALL_OBJECTS_DICT` that `package.get(name)` accepts on their own."""
    taken = []
    for name in sorted(package.ALL_OBJECTS_DICT):
        try:
            package.get(name)
        except Exception:
            continue
        taken.append(name)
    return taken


def dtype_policy_def() -> dict:
    """dtype names `standardize_dtype` takes, mixed policies, quantized policy names
    (`int8_from_float32`, `int4/128_from_mixed_bfloat16`) and serialized DTypePolicy objects."""
    from keras.src import dtype_policies
    from keras.src.dtype_policies.dtype_policy import QUANTIZATION_MODES

    names = sorted({*dtype_names(), "mixed_float16", "mixed_bfloat16"})
    names = [n for n in names if _policy_taken(dtype_policies, n)]
    sources = [
        n for n in names if any(_policy_taken(dtype_policies, f"{m}_from_{n}") for m in ("int8", "float8"))
    ]
    quantized = "^(" + "|".join(QUANTIZATION_MODES) + ")(/[0-9]+)*_from_(" + "|".join(sources) + ")$"
    return {
        "x-expect": "a dtype or dtype policy name such as 'float32' or a serialized DTypePolicy",
        "anyOf": [
            {"type": "null"},
            {"enum": names},
            {"type": "string", "pattern": quantized},
            {
                "type": "object",
                "required": ["class_name", "config"],
                "properties": {"class_name": {"type": "string"}, "config": {"type": "object"}},
            },
        ],
    }


def dtype_names() -> list[str]:
    """The dtype names `keras.backend.standardize_dtype` takes (`float32`, `int8`, and the alias `int`)."""
    from keras.src.backend.common import dtypes

    aliases = [k for k in dtypes.PYTHON_DTYPES_MAP if isinstance(k, str)]
    return sorted({*dtypes.ALLOWED_DTYPES, *aliases})


def _policy_taken(dtype_policies, name: str) -> bool:
    try:
        dtype_policies.get(name)
    except Exception:
        return False
    return True


def model_schema() -> dict:
    """The serialized-object envelope, Functional and Sequential configs, Keras 3 and legacy forms."""
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": BASE_URI + "model.schema.json",
        "title": "Keras model",
        "description": "A serialized Keras model: Functional (Keras 3 or legacy Model) or Sequential.",
        **_serialized_object(
            ["object", "array"],
            build_config={"type": ["object", "null"]},
            compile_config={"type": ["object", "null"]},
        ),
        "allOf": [
            {
                "if": {"properties": {"config": {"type": "array"}}},
                "then": {"properties": {"config": {"items": {"$ref": "#/$defs/layer"}}}},
            },
            {
                "if": {"properties": {"class_name": {"enum": ["Functional", "Model"]}}},
                "then": {"properties": {"config": {"$ref": "#/$defs/functional"}}},
            },
            {
                "if": {"properties": {"class_name": {"const": "Sequential"}}},
                "then": {"properties": {"config": {"$ref": "#/$defs/sequential"}}},
            },
        ],
        "$defs": _model_defs(),
    }


def _model_defs() -> dict:
    """The layer entry and the Functional and Sequential configs."""
    entry = _serialized_object(
        ["object", "array"],
        name={"type": "string"},
        inbound_nodes={"type": "array"},
        build_config={"type": ["object", "null"]},
    )
    io_list = {"type": ["array", "object"]}
    return {
        "layer": entry,
        "functional": {
            "type": "object",
            "required": ["layers", "input_layers", "output_layers"],
            "properties": {
                "name": {"type": ["string", "null"]},
                "trainable": {"type": "boolean"},
                "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}},
                "input_layers": io_list,
                "output_layers": io_list,
            },
        },
        "sequential": {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/$defs/layer"}},
                {
                    "type": "object",
                    "required": ["layers"],
                    "properties": {
                        "name": {"type": ["string", "null"]},
                        "trainable": {"type": "boolean"},
                        "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}},
                        "build_input_shape": {"anyOf": [SHAPE, {"type": "null"}]},
                    },
                },
            ]
        },
    }


def layer_classes(keras) -> list:
    """Every distinct class exported by `keras.layers`, plus the layers `keras.applications` define
    (found in the modules its public functions live in, so Keras's own test modules are never imported)."""
    from keras.src.layers.layer import Layer

    classes = {}
    for attr in dir(keras.layers):
        value = getattr(keras.layers, attr)
        if inspect.isclass(value):
            classes[value.__name__] = value
    modules = {
        getattr(keras.applications, name).__module__
        for name in dir(keras.applications)
        if inspect.isfunction(getattr(keras.applications, name))
    }
    for module_name in sorted(modules):
        for value in vars(sys.modules[module_name]).values():
            if inspect.isclass(value) and issubclass(value, Layer) and value.__module__ == module_name:
                classes.setdefault(value.__name__, value)
    return [classes[k] for k in sorted(classes)]


def op_classes() -> list:
    """Operation classes (not layers) of the op modules, as Functional configs can hold them."""
    import importlib

    from keras.src.layers.layer import Layer
    from keras.src.ops.operation import Operation

    found = []
    for module_name in OP_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Operation)
                and not issubclass(value, Layer)
                and value.__module__ == module_name
            ):
                found.append(value)
    return sorted(found, key=lambda c: op_key(c.__module__, c.__name__))


def build_all() -> dict[str, dict]:
    """Every schema file: relative path -> schema."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "numpy")
    warnings.filterwarnings("ignore")
    import keras

    files = {"model.schema.json": model_schema()}
    for name, schema in defs_schemas(keras).items():
        files[f"defs/{name}.json"] = schema
    for cls in layer_classes(keras):
        schema = layer_schema(cls, keras)
        files[f"layers/{schema['title']}.json"] = schema
    for cls in op_classes():
        files[f"layers/{op_key(cls.__module__, cls.__name__)}.json"] = op_schema(cls)
    return files


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2) + "\n"


def write_all(out_dir: Path) -> int:
    """Write every schema under `out_dir`, dropping stale generated files; returns the count."""
    files = build_all()
    for sub in ("layers", "defs"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
        for old in (out_dir / sub).glob("*.json"):
            if f"{sub}/{old.name}" not in files:
                old.unlink()
    for rel, schema in files.items():
        (out_dir / rel).write_text(render(schema))
    return len(files)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "schemas"
    count = write_all(out_dir)
    print(f"wrote {count} schemas to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
