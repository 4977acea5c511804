"""The bundled schemas: current for the installed Keras, valid Draft 2020-12, and readable messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from modelcfg_cli.checks.messages import describe
from modelcfg_cli.checks.schemas import validate_document
from modelcfg_cli.document import document_from_payload
from modelcfg_cli.errors import UsageError
from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.schema_store import schema_names, schema_root

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


NO_PYTEST = """
import runpy, sys
class NoPytest:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest", "_pytest"):
            raise ImportError("pytest is not installed")
sys.meta_path.insert(0, NoPytest())
script, out = sys.argv[1:]
sys.argv = [script, out]
runpy.run_path(script, run_name="__main__")
"""


def test_checked_in_schemas_are_current(tmp_path):
    """`make schemas` output equals the checked-in files; the generator runs where pytest cannot be imported
    (it imports none of Keras's test modules)."""
    import subprocess
    import sys

    script = SCHEMAS.parent / "scripts" / "schemagen.py"
    command = [sys.executable, "-c", NO_PYTEST, str(script), str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "wrote " in done.stderr, done.stderr[-2000:]
    fresh = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    kept = {
        p.relative_to(SCHEMAS).as_posix()
        for p in SCHEMAS.rglob("*.json")
        if p.name not in ("rules.schema.json", "policy.schema.json", "keras_hub.schema.json")
    }
    assert fresh == kept, "run `make schemas`: files differ " + str(sorted(fresh ^ kept)[:10])
    stale = [rel for rel in sorted(fresh) if (tmp_path / rel).read_text() != (SCHEMAS / rel).read_text()]
    assert stale == [], "run `make schemas`: stale " + ", ".join(stale[:10])


def test_every_schema_is_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    for path in SCHEMAS.rglob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path


def test_one_schema_per_keras_layer_class_and_op_layers():
    import keras

    names = set(schema_names())
    classes = {
        n: getattr(keras.layers, n) for n in dir(keras.layers) if isinstance(getattr(keras.layers, n), type)
    }
    exported = {n for n, cls in classes.items() if cls.__name__ == n}
    assert len(exported) > 130 and exported - names == set()
    assert "GroupQueryAttention" in names  # the name Keras serializes, not the class's __name__
    assert {"model", "defs/initializer", "defs/activation", "ops.numpy.Add", "activations.ReLU"} <= names
    assert schema_root().joinpath("model.schema.json").is_file()


def conv_model(**conv_changes) -> dict:
    conv = {"name": "conv1_conv", "filters": 8, "kernel_size": [3, 3], "padding": "same", **conv_changes}
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "name": "in",
                 "config": {"name": "in", "batch_shape": [None, 8, 8, 3]}, "inbound_nodes": []},
                {"module": "keras.layers", "class_name": "Conv2D", "name": "conv1_conv", "config": conv,
                 "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                              "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]},
            ],
            "input_layers": [["in", 0, 0]],
            "output_layers": [["conv1_conv", 0, 0]],
        },
    }  # fmt: skip


def lines(payload: dict, **options) -> list[str]:
    doc = document_from_payload(copy.deepcopy(payload), "test")
    return [f"{f.severity} {f.line()}" for f in validate_document(doc, **options)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"filters": -3}, "filters must be an integer >= 1, got -3"),
        ({"filters": "8"}, 'filters must be an integer >= 1, got "8"'),
        (
            {"kernel_size": [3, 3, 3]},
            "kernel_size must be an integer >= 1 or a list of 2 integers >= 1, got [3, 3, 3]",
        ),
        ({"padding": "sam"}, "padding must be one of 'valid', 'same' (any case) or a list, got \"sam\""),
        (
            {"activation": "rleu"},
            "activation must be an activation name such as 'relu' or a serialized function",
        ),
        (
            {"filterz": 3},
            "unknown field 'filterz' (Keras rejects unrecognized keyword arguments); did you mean",
        ),
    ],
)
def test_messages_say_what_was_expected_and_found(change, expected):
    found = lines(conv_model(**change))
    assert len(found) == 1, found
    assert found[0].startswith("error layers[1] conv1_conv (Conv2D): " + expected), found


def test_missing_required_field():
    model = conv_model()
    del model["config"]["layers"][1]["config"]["filters"]
    assert lines(model) == ["error layers[1] conv1_conv (Conv2D): missing required field 'filters'"]


def test_describe_ranges_and_enums():
    assert describe({"type": "number", "minimum": 0, "exclusiveMaximum": 1}) == "a number in [0, 1)"
    assert describe({"enum": ["a", "b"]}) == 'one of "a", "b"'
    assert describe({"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3}) == (
        "a list of 3 integers"
    )
    assert describe({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "a string"
    assert describe({}) == "any value"


def custom(registered: str = "keras_hub>GPT2Backbone", **config) -> dict:
    model = conv_model()
    model["config"]["layers"][1] = {
        "module": "keras_hub.src.models.gpt2.gpt2_backbone",
        "class_name": "GPT2Backbone",
        "registered_name": registered,
        "name": "conv1_conv",
        "config": {"name": "conv1_conv", **config},
        "inbound_nodes": model["config"]["layers"][1]["inbound_nodes"],
    }
    return model


def test_unknown_class_is_a_warning_and_an_error_when_strict():
    [warning] = lines(custom("otherhub>GPT2Backbone"))
    assert warning.startswith(
        "warning layers[1] conv1_conv (GPT2Backbone): unknown layer class 'otherhub>GPT2Backbone'"
    )
    [error] = lines(custom("otherhub>GPT2Backbone"), strict=True)
    assert error.startswith("error ")


def test_a_keras_hub_class_is_checked_against_its_constructor():
    """keras-hub's registered classes have schemas generated from their constructors."""
    found = lines(custom(num_layers=1, num_heads=2, hidden_dim=4, intermediate_dim=8, num_layer=2))
    assert found[0].startswith("error layers[1] conv1_conv (GPT2Backbone): missing required argument")
    assert "'vocabulary_size'" in found[0]
    assert "'num_layer' is not an argument of keras_hub>GPT2Backbone's constructor; did you mean" in found[1]


def test_keras1_class_name_is_unknown():
    model = conv_model()
    model["config"]["layers"][1]["class_name"] = "Convolution2D"
    assert lines(model)[0].startswith("warning layers[1] conv1_conv (Convolution2D): unknown layer class")


@pytest.mark.parametrize(
    "file_name", ["keras_hub>GPT2Backbone.json", "keras_hub.GPT2Backbone.json", "GPT2Backbone.json"]
)
def test_user_schema_dir(tmp_path, file_name):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"name": {"type": "string"}, "num_layers": {"type": "integer", "minimum": 1},
                       "dtype": {"$ref": "https://modelcfg.dev/schemas/defs/dtype_policy.json"}},
        "additionalProperties": False,
    }  # fmt: skip
    (tmp_path / file_name).write_text(json.dumps(schema))
    assert lines(custom(num_layers=12, dtype="float32"), strict=True, schema_dirs=[tmp_path]) == []
    found = lines(custom(num_layers=0, dtype="float33"), strict=True, schema_dirs=[tmp_path])
    assert found[0] == (
        "error layers[1] conv1_conv (GPT2Backbone): dtype must be a dtype or dtype policy name "
        "such as 'float32' or a serialized DTypePolicy, got \"float33\""
    )
    assert found[1].endswith("num_layers must be an integer >= 1, got 0")


def test_bad_schema_dir_and_bad_user_schema(tmp_path):
    with pytest.raises(UsageError, match="not a directory"):
        validate_document(document_from_payload(custom(), "x"), schema_dirs=[tmp_path / "missing"])
    (tmp_path / "GPT2Backbone.json").write_text('{"type": 12}')
    with pytest.raises(UsageError, match="not a valid JSON Schema"):
        validate_document(document_from_payload(custom(), "x"), schema_dirs=[tmp_path])


def test_op_layers_are_checked():
    import keras

    x = keras.Input((4,), name="x")
    y = keras.Input((4,), name="y")
    z = keras.ops.concatenate([keras.ops.add(x, y) * 2.0, x[:, :2]], axis=-1)
    z = keras.activations.relu(keras.ops.mean(z, axis=-1, keepdims=True))
    envelope = json.loads(keras.Model([x, y], z).to_json())
    assert lines(envelope, strict=True) == []
    mean = next(e for e in envelope["config"]["layers"] if e["class_name"] == "Mean")
    mean["config"]["keep_dims"] = True
    [error] = lines(envelope, strict=True)
    assert "(Mean): unknown field 'keep_dims'" in error and "did you mean 'keepdims'" in error


def test_findings_are_in_layer_order():
    model = conv_model(filters=0)
    model["config"]["layers"][0]["config"]["sparse"] = "no"
    model["config"]["layers"].append(copy.deepcopy(model["config"]["layers"][1]))
    found = [f.layer for f in validate_document(document_from_payload(model, "x"))]
    assert found[0] == "in" and found[1] == "conv1_conv" and found[-1] == "conv1_conv"
    severities = {f.severity for f in validate_document(document_from_payload(model, "x"))}
    assert severities <= {ERROR, WARNING}


def test_model_envelope_errors_name_the_layer():
    model = conv_model()
    del model["config"]["layers"][1]["class_name"]
    assert lines(model) == ["error layers[1] conv1_conv (no class_name): missing required field 'class_name'"]
    model = conv_model()
    del model["config"]["output_layers"]
    assert lines(model) == ["error /config: missing required field 'output_layers'"]


def test_schemas_work_from_an_installed_package_layout(monkeypatch):
    """In a wheel `schemas/` is the namespace package `modelcfg_cli.schema_files` (a MultiplexedPath)."""
    from importlib.resources.readers import MultiplexedPath

    from modelcfg_cli import schema_store
    from modelcfg_cli.checks import schemas

    caches = (
        schema_store.schema_names,
        schema_store.schema_text,
        schema_store.registry,
        schemas.bundled_validator,
        schemas._memo_messages,
    )
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(schema_store, "schema_root", lambda: MultiplexedPath(SCHEMAS))
    try:
        assert "Conv2D" in schema_store.schema_names()
        assert lines(conv_model(filters=0)) == [
            "error layers[1] conv1_conv (Conv2D): filters must be an integer >= 1, got 0"
        ]
    finally:
        for cached in caches:
            cached.cache_clear()


def test_layer_entries_checked_once_per_shape_still_report_each_bad_entry():
    """Entries are validated once per shape; every entry of a bad shape is still reported, with its value."""
    from modelcfg_cli.checks.schemas import validate_document
    from modelcfg_cli.document import document_from_payload

    def dense(name, units=4):
        return {"class_name": "Dense", "name": name, "config": {"name": name, "units": units}}

    layers = [dense(f"d{i}") for i in range(50)]
    layers[10]["inbound_nodes"] = "oops"
    layers[20]["inbound_nodes"] = "again"
    layers[30]["registered_name"] = 7
    doc = document_from_payload({"name": "seq", "layers": layers}, "seq.json")
    errors = [f for f in validate_document(doc) if f.severity == "error"]
    pointers = {f.pointer: f.message for f in errors}
    assert "/config/layers/10/inbound_nodes" in pointers and "/config/layers/20/inbound_nodes" in pointers
    assert '"again"' in pointers["/config/layers/20/inbound_nodes"]
    assert "/config/layers/30/registered_name" in pointers
    assert not any(f"/config/layers/{i}/" in p for p in pointers for i in (0, 11, 49))
