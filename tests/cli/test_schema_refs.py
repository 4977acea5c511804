"""`validate --schema-dir`: a user schema whose `$ref` does not resolve is one line naming file and ref."""

from __future__ import annotations

import json

import pytest

from modelcfg_cli.checks.user_schemas import refs_in
from tests.helpers import assert_one_line_error, invoke

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def custom_model(path) -> str:
    """A Sequential model holding one layer of the custom class `MyLayer`."""
    model = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "s",
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer",
                 "config": {"name": "in", "batch_shape": [None, 3]}},
                {"module": "my", "class_name": "MyLayer", "registered_name": "MyLayer",
                 "config": {"name": "x", "units": 3, "act": "relu"}},
            ],
        },
    }  # fmt: skip
    path.write_text(json.dumps(model))
    return str(path)


def write_schema(folder, **properties) -> str:
    folder.mkdir(exist_ok=True)
    schema = {
        "$schema": DRAFT,
        "type": "object",
        "properties": properties,
        "$defs": {"n": {"type": "integer"}},
    }
    (folder / "MyLayer.json").write_text(json.dumps(schema))
    return str(folder / "MyLayer.json")


@pytest.mark.parametrize(
    "ref",
    [
        "#/$defs/nothere",
        "https://modelcfg.dev/schemas/defs/activationz.json",
        "https://example.com/elsewhere.json",
        "other.json",
    ],
)
def test_unresolvable_ref_is_one_line(tmp_path, ref):
    schema = write_schema(tmp_path / "schemas", units={"$ref": ref})
    result = invoke("validate", "--schema-dir", tmp_path / "schemas", custom_model(tmp_path / "m.json"))
    assert_one_line_error(result, schema, f"$ref {ref!r} does not resolve")


def test_ref_inside_a_nested_id_is_reported_when_used(tmp_path):
    nested = {"$id": "https://example.com/units.json", "$ref": "#/$defs/nothere"}
    schema = write_schema(tmp_path / "schemas", units=nested)
    result = invoke("validate", "--schema-dir", tmp_path / "schemas", custom_model(tmp_path / "m.json"))
    assert_one_line_error(result, schema, "$ref '#/$defs/nothere' does not resolve")


def test_local_and_bundled_refs_resolve(tmp_path):
    write_schema(
        tmp_path / "schemas",
        units={"$ref": "#/$defs/n"},
        act={"$ref": "https://modelcfg.dev/schemas/defs/activation.json"},
    )
    model = custom_model(tmp_path / "m.json")
    result = invoke("validate", "--schema-dir", tmp_path / "schemas", model)
    assert result.exit_code == 0 and "no schema" not in result.output, result.output
    config = json.loads((tmp_path / "m.json").read_text())
    config["config"]["layers"][1]["config"]["act"] = "rleu"
    (tmp_path / "m.json").write_text(json.dumps(config))
    result = invoke("validate", "--schema-dir", tmp_path / "schemas", model)
    assert result.exit_code == 1 and "act must be an activation name" in result.stdout


def test_refs_in_skips_data_keywords_and_nested_ids():
    schema = {
        "$ref": "#/a",
        "properties": {"x": {"$ref": "#/b"}, "y": {"$id": "https://e.com/y", "$ref": "#/c"}},
        "enum": [{"$ref": "#/d"}],
        "anyOf": [{"$ref": "#/e"}],
    }
    assert refs_in(schema, root=True) == ["#/a", "#/b", "#/e"]


def test_usage_error_survives_a_worker_process():
    """`validate -j` raises in a worker and re-raises in the parent, which needs the error to pickle."""
    import pickle

    from modelcfg_cli.errors import UsageError

    error = pickle.loads(pickle.dumps(UsageError("s.json", "$ref 'x' does not resolve")))
    assert str(error) == "s.json: $ref 'x' does not resolve" and error.where == "s.json"
