"""`scan`: every code-bearing place in real Keras models, at the top and nested, in `.keras` and `.h5`,
found by names and bytes only; clean models (every keras.applications, keras_hub) stay clean."""

from __future__ import annotations

import base64
import json
import marshal
import pickle
from pathlib import Path

import pytest

from modelcfg_cli.document import document_from_payload
from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.scan.model import RULES, scan_document, scan_model
from modelcfg_cli.sources import read_document
from tests.scan_models import KINDS

DATA = Path(__file__).parent / "data"


def layer_rules(findings) -> set[tuple[str, str]]:
    return {(f.layer, f.rule) for f in findings if f.layer is not None}


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_every_kind_is_found_at_the_top_and_two_levels_deep(code_models, fmt):
    findings = scan_model(read_document(code_models[fmt]))
    column = 0 if fmt == "keras" else 1
    expected = {(kind, rules[column]) for kind, rules in KINDS.items()}
    expected |= {(f"td/inner/hidden_{kind}", rules[column]) for kind, rules in KINDS.items()}
    expected |= {("bi/forward_lstm", "custom-class"), ("bi/backward_lstm", "custom-class")}
    assert layer_rules(findings) == expected
    assert all(f.rule in RULES for f in findings)


def test_findings_carry_pointer_class_and_what_runs(code_models):
    findings = {f.layer: f for f in scan_model(read_document(code_models["keras"])) if f.layer}
    hidden = findings["td/inner/hidden_lambda"]
    assert hidden.pointer == "/config/layers/11/config/layer/config/layers/1"
    assert (hidden.class_name, hidden.severity) == ("Lambda", ERROR)
    assert "marshalled Python bytecode" in hidden.message and "scan_models.py" in hidden.message
    assert "'double'" in findings["named_lambda"].message
    assert findings["custom"].severity == WARNING and "needs code from 'acme'" in findings["custom"].message
    assert "module 'tests.scan_models'" in findings["foreign"].message
    activation = findings["td/inner/hidden_activation"]
    assert activation.pointer.endswith("/layers/5/config/activation")
    assert activation.message.startswith("activation: needs code from 'acme'")
    assert "'/models/exported'" in findings["tfsm"].message
    assert "torch.load" in findings["torch"].message and "zip archive" in findings["torch"].message
    assert "my_jax_models.apply" in findings["jax"].message
    assert "my_flax_models.MLP" in findings["flax"].message


def test_compile_config_and_legacy_training_config(code_models):
    keras_file = {f.pointer: f for f in scan_model(read_document(code_models["keras"])) if f.layer is None}
    assert keras_file["/compile_config/loss"].rule == "foreign-function"
    assert "'plain_loss'" in keras_file["/compile_config/loss"].message
    schedule = keras_file["/compile_config/optimizer/config/learning_rate"]
    assert (schedule.rule, schedule.class_name) == ("custom-class", "WarmUp")
    h5_file = {f.pointer: f for f in scan_model(read_document(code_models["h5"])) if f.layer is None}
    assert set(h5_file) == {"/training_config/loss", "/training_config/optimizer_config/config/learning_rate"}
    assert "'plain_loss' is not a Keras built-in" in h5_file["/training_config/loss"].message


def test_written_in_entries_have_the_shape_keras_gives_them(code_models):
    """TFSMLayer, TorchModuleWrapper, JaxLayer, FlaxLayer entries pass the schemas generated from Keras."""
    from modelcfg_cli.checks.schemas import validate_document

    doc = read_document(code_models["keras"])
    spliced = {"TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}
    refs = [ref for ref in doc.layers() if ref.class_name in spliced]
    assert len(refs) == 8
    problems = [f for f in validate_document(doc) if f.class_name in spliced]
    assert problems == []


def test_strict_makes_every_finding_an_error(code_models):
    doc = read_document(code_models["keras"])
    assert {f.severity for f in scan_model(doc)} == {ERROR, WARNING}
    assert {f.severity for f in scan_model(doc, strict=True)} == {ERROR}


def dense_with_activation(saved_models, activation) -> dict:
    """The sequential test model's real dump with dense_1's activation replaced."""
    envelope = json.loads(Path(saved_models["sequential"]["json"]).read_text())
    envelope["config"]["layers"][1]["config"]["activation"] = activation
    return envelope


def test_dense_with_a_builtins_function_as_activation(saved_models):
    builtin = {"module": "builtins", "class_name": "function", "config": "eval", "registered_name": None}
    doc = document_from_payload(dense_with_activation(saved_models, builtin), "eval.json")
    [finding] = scan_document(doc)
    assert (finding.layer, finding.rule, finding.severity) == ("dense_1", "foreign-function", ERROR)
    assert finding.pointer == "/config/layers/1/config/activation"
    assert "builtins.eval" in finding.message
    keras_own = {"module": "builtins", "class_name": "function", "config": "relu", "registered_name": None}
    assert scan_document(document_from_payload(dense_with_activation(saved_models, keras_own), "ok")) == []


def test_function_from_a_foreign_module_and_a_string_activation(saved_models):
    foreign = {"module": "os", "class_name": "function", "config": "system", "registered_name": "system"}
    [finding] = scan_document(document_from_payload(dense_with_activation(saved_models, foreign), "os"))
    assert finding.rule == "foreign-function" and "module 'os'" in finding.message
    [named] = scan_document(document_from_payload(dense_with_activation(saved_models, "my_act"), "act"))
    assert named.rule == "custom-class" and "'my_act' is not a Keras built-in" in named.message


def keras2_lambda(function: object, **extra) -> dict:
    """A Keras 2 Sequential (list form) with a Lambda as its first layer, as Keras 2 wrote it."""
    config = {"name": "norm", "function": function, "function_type": "lambda", "arguments": {}, **extra}
    dense = {"class_name": "Dense", "config": {"name": "out", "units": 2}}
    return {"class_name": "Sequential", "config": [{"class_name": "Lambda", "config": config}, dense]}


def code_of(source: str) -> bytes:
    return marshal.dumps(compile(source, "/home/me/drive.py", "eval").co_consts[0])


def test_keras2_list_form_lambda_base64_and_raw(tmp_path):
    import h5py

    code = code_of("lambda x: K.resize_images(x, 2, 2, 'channels_last')")
    encoded = base64.encodebytes(code).decode("ascii")  # Keras 2.1+: base64 with newlines
    raw = code.decode("latin-1")  # Keras 2.0: the marshalled bytes as a string
    for function in (encoded, raw):
        path = tmp_path / "legacy.h5"
        with h5py.File(path, "w") as handle:
            handle.attrs["model_config"] = json.dumps(keras2_lambda([function, None, None]))
            handle.attrs["keras_version"] = "2.0.6"
        [finding] = scan_model(read_document(str(path)))
        assert (finding.layer, finding.rule, finding.class_name) == ("norm", "lambda", "Lambda")
        assert "resize_images" in finding.message and "/home/me/drive.py" in finding.message


def test_lambda_named_function_and_tf_op_layers():
    named = keras2_lambda("preprocess", function_type="function", module="my_pipeline")
    [finding] = scan_document(document_from_payload(named, "named.json"))
    assert "'preprocess' (module 'my_pipeline')" in finding.message
    tf_op = {
        "class_name": "Sequential",
        "config": [
            {"class_name": "TFOpLambda", "config": {"name": "mul", "function": "math.multiply"}},
            {"class_name": "TensorFlowOpLayer", "config": {"name": "op", "node_def": {"op": "Reshape"}}},
        ],
    }
    first, second = scan_document(document_from_payload(tf_op, "tf.json"))
    assert (first.rule, first.severity) == (
        "foreign-function",
        WARNING,
    ) and "tf.math.multiply" in first.message
    assert (second.rule, second.severity) == ("external-graph", WARNING) and "'Reshape'" in second.message


def test_unknown_root_class_and_tf_keras_optimizers():
    subclassed = {"module": None, "class_name": "VAE", "config": {}, "registered_name": "VAE"}
    [finding] = scan_document(document_from_payload(subclassed, "vae.json"))
    assert finding.rule == "custom-class" and "VAE is not a Keras layer or model" in finding.message
    doc = document_from_payload(
        keras2_lambda("x"),
        "t.json",
        {
            "training_config": '{"optimizer_config": '
            '{"class_name": "Custom>Adam", "config": {}}, "loss": "mse"}'
        },
    )
    assert [f.pointer for f in scan_document(doc)] == ["/config/0"]  # tf.keras's Custom>Adam is Keras


def test_every_application_scans_clean(application_configs):  # noqa: F811
    dirty = {}
    for name, config in application_configs.items():
        found = scan_document(document_from_payload(config, name))
        if found:
            dirty[name] = [f.line() for f in found[:3]]
    assert len(application_configs) >= 40 and dirty == {}


@pytest.mark.parametrize("name", ["keras_hub_bert_backbone", "keras_hub_layers"])
def test_keras_hub_models_scan_clean(name):
    payload = json.loads((DATA / f"{name}.json").read_text())
    assert "keras_hub" in json.dumps(payload)
    assert scan_document(document_from_payload(payload, name)) == []


def test_saved_test_models_scan_clean_but_the_lambda(saved_models):
    for name, paths in saved_models.items():
        for fmt in ("keras", "h5", "dir", "json"):
            rules = {f.rule for f in scan_model(read_document(paths[fmt]))}
            assert rules == ({"lambda"} if name == "lambda" else set()), (name, fmt, rules)


def test_function_names_are_current():
    import runpy

    from modelcfg_cli.scan.names import KERAS_FUNCTION_NAMES

    script = Path(__file__).resolve().parents[1] / "scripts" / "keras_names.py"
    generate = runpy.run_path(str(script))["generate"]
    assert set(generate()) == KERAS_FUNCTION_NAMES


def test_scan_never_unpickles_or_unmarshals(code_models, tmp_path, monkeypatch):
    import zipfile

    evil = tmp_path / "evil.keras"
    evil.write_bytes(Path(code_models["keras"]).read_bytes())
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr("assets/state.bin", pickle.dumps({"a": 1}, protocol=4))

    def refuse(*args, **kwargs):
        raise AssertionError("scan must not unpickle or unmarshal")

    for module, names in ((pickle, ("loads", "load", "Unpickler")), (marshal, ("loads", "load"))):
        for name in names:
            monkeypatch.setattr(module, name, refuse)
    rules = {f.rule for path in (evil, code_models["h5"]) for f in scan_model(read_document(str(path)))}
    assert {"pickle", "lambda", "external-graph"} <= rules
