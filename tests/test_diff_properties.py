"""Hypothesis properties of `diff` on real configs: a model equals itself in every format; random edits
are reported exactly; and diff -> emit-rules -> apply the rules reproduces the edited config."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcfg_cli import apply_rules
from modelcfg_cli.diffing.diff import DiffOptions, diff
from modelcfg_cli.diffing.emit_rules import emit_rules
from modelcfg_cli.sources import read_document
from tests.model_edits import FORMATS, as_doc, envelope_of, find, remove_layer, rename_layer

MODELS = ["sequential", "branches", "nested", "rnn", "mobilenet"]
REMOVABLE = ("Dropout", "BatchNormalization", "ReLU", "Activation")
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=st.data())
def test_a_model_equals_itself_in_every_format(saved_models, data):
    name = data.draw(st.sampled_from(MODELS + ["lambda"]))
    fmt_a, fmt_b = data.draw(st.sampled_from(FORMATS)), data.draw(st.sampled_from(FORMATS))
    doc_a = read_document(saved_models[name][fmt_a])
    assert diff(doc_a, doc_a) == []
    assert diff(doc_a, read_document(saved_models[name][fmt_b])) == []


def _scalar_fields(config: dict) -> list[str]:
    fields = [k for k, v in config.items() if k != "name" and type(v) in (int, float, bool)]
    initializer = config.get("kernel_initializer")
    if isinstance(initializer, dict) and "seed" in initializer.get("config", {}):
        fields.append("kernel_initializer.config.seed")
    return fields


def _new_value(value: object, draw) -> object:
    if value is None or type(value) is int:
        return (value or 0) + draw(st.integers(1, 1000))
    if type(value) is bool:
        return not value
    return value + draw(st.sampled_from([0.25, 0.5, 2.0]))


def _set(config: dict, path: str, value: object) -> None:
    *parents, last = path.split(".")
    for key in parents:
        config = config[key]
    config[last] = value


def _get(config: dict, path: str) -> object:
    for key in path.split("."):
        config = config[key]
    return config


def _set_policy(entry: dict, policy: str) -> None:
    """Every layer's dtype policy (inputs aside), at every depth, and the model's own."""
    config = entry.get("config")
    if not isinstance(config, dict):
        return
    if isinstance(config.get("dtype"), dict) and entry.get("class_name") != "InputLayer":
        config["dtype"]["config"]["name"] = policy
    for child in [
        *config.get("layers", []),
        *(config[k] for k in ("layer", "backward_layer") if k in config),
    ]:
        _set_policy(child, policy)


@st.composite
def edits(draw, saved_models):
    """(original envelope, edited envelope, {(layer path in A, field path or kind)} expected)."""
    name = draw(st.sampled_from(MODELS))
    original = envelope_of(saved_models, name)
    edited = copy.deepcopy(original)
    touched: set[str] = set()
    expected: set[tuple[str | None, str]] = set()
    for step in range(draw(st.integers(1, 4))):
        refs = [ref for ref in as_doc(original).layers() if ref.path_str not in touched]
        refs = [ref for ref in refs if not any(ref.path_str.startswith(t + "/") for t in touched)]
        kind = draw(st.sampled_from(["set", "set", "rename", "remove", "model_name", "dtype_policy"]))
        if kind == "model_name":
            edited["config"]["name"] = f"{original['config']['name']}_v{step}"
            expected.add((None, "name"))
            continue
        if kind == "dtype_policy":
            _set_policy(edited, "mixed_float16")
            expected.add((None, "dtype_policy"))
            continue
        if kind == "set":
            choices = [ref for ref in refs if ref.class_name != "InputLayer" and _scalar_fields(ref.config)]
            if not choices:
                continue
            ref = draw(st.sampled_from(choices))
            field = draw(st.sampled_from(_scalar_fields(ref.config)))
            config = find(edited, ref.path_str)["config"]
            _set(config, field, _new_value(_get(config, field), draw))
            expected.add((ref.path_str, field))
        elif kind == "rename":
            choices = [ref for ref in refs if not ref.wrapped and ref.class_name != "InputLayer"]
            if not choices:
                continue
            ref = draw(st.sampled_from(choices))
            container = find(edited, "/".join(ref.parent)) if ref.depth else edited
            rename_layer(container, ref.name, f"{ref.name}_e{step}")
            expected.add((ref.path_str, "renamed"))
        else:
            outputs = str(original["config"].get("output_layers"))
            choices = [
                ref
                for ref in refs
                if ref.class_name in REMOVABLE and not ref.depth and f"'{ref.name}'" not in outputs
            ]
            if not choices:
                continue
            ref = draw(st.sampled_from(choices))
            remove_layer(edited, ref.name)
            expected.add((ref.path_str, "removed"))
        touched.add(ref.path_str)
    return original, edited, expected


@SETTINGS
@given(data=st.data())
def test_random_edits_are_reported_exactly(saved_models, data):
    original, edited, expected = data.draw(edits(saved_models))
    changes = diff(as_doc(original), as_doc(edited))
    found = {(c.layer, c.path if c.kind in ("changed", "model") else c.kind) for c in changes}
    assert found == expected


@SETTINGS
@given(data=st.data())
def test_emitted_rules_reproduce_the_edited_config(saved_models, data):
    original, edited, _ = data.draw(edits(saved_models))
    changes = diff(as_doc(original), as_doc(edited))
    rules, unexpressed = emit_rules(changes, as_doc(original))
    assert unexpressed == []
    result, _report = apply_rules(copy.deepcopy(original), rules)
    assert diff(as_doc(result), as_doc(edited), DiffOptions(ignore=("build_config",))) == [], rules
