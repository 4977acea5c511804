"""Property tests: arbitrary and randomly edited configs and rules never crash validate, diff or the rules
engine; a model equals itself; idempotent rules applied twice equal applied once."""

from __future__ import annotations

import copy
import json
import random
import time

import pytest
import yaml
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from modelcfg_cli import apply_rules
from modelcfg_cli.diffing.diff import diff
from modelcfg_cli.errors import RulesError
from modelcfg_cli.sources import read_document
from tests.helpers import assert_clean, assert_one_line_error, billion_laughs, invoke
from tests.strategies import idempotent_rules, json_values, model_like, mutate, rules_documents

MODELS = ["sequential", "branches", "nested", "rnn", "lambda", "mobilenet"]
EDITABLE = ["sequential", "branches", "nested", "rnn"]
FORMATS = ["keras", "h5", "dir", "json", "yaml", "config"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for the files each example writes (hypothesis runs examples one after another)."""
    return tmp_path_factory.mktemp("fuzz")


def _edited(saved_models, data) -> dict:
    """A real config (full or get_config()) after one to five random edits."""
    name = data.draw(st.sampled_from(EDITABLE))
    kind = data.draw(st.sampled_from(["json", "config"]))
    config = json.loads(open(saved_models[name][kind]).read())
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(data.draw(st.integers(1, 5))):
        mutate(config, rng, data.draw(json_values))
    return config


def _dumps(value: object, as_yaml: bool) -> str:
    return yaml.safe_dump(value) if as_yaml else json.dumps(value)


VALIDATE_OPTIONS = st.builds(
    lambda strict, fmt: (*strict, f"--format={fmt}"),
    st.sampled_from([(), ("--strict",)]),
    st.sampled_from(["text", "json", "github"]),
)


@SETTINGS
@given(value=json_values | model_like, as_yaml=st.booleans(), options=VALIDATE_OPTIONS)
@example(value={"\x1e0": None}, as_yaml=False, options=())  # a line separator in a key of the error
def test_validate_arbitrary_documents(value, as_yaml, options):
    _check_validate(invoke("validate", *options, "-", input=_dumps(value, as_yaml)), options)


@SETTINGS
@given(data=st.data(), as_yaml=st.booleans(), options=VALIDATE_OPTIONS)
def test_validate_random_edits(saved_models, data, as_yaml, options):
    config = _edited(saved_models, data)
    _check_validate(invoke("validate", *options, "-", input=_dumps(config, as_yaml)), options)


def _check_validate(result, options: tuple) -> None:
    """Clean exit; JSON parses; GitHub output is one annotation per line, then the summary line."""
    assert_clean(result)
    if "--format=json" in options:
        json.loads(result.stdout)
    if "--format=github" in options:
        *annotations, summary = result.stdout.rstrip("\n").split("\n")
        assert all(line.startswith("::") for line in annotations) and not summary.startswith("::")


@SETTINGS
@given(data=st.data(), as_yaml=st.booleans(), fmt=st.sampled_from(["text", "json", "markdown"]))
def test_diff_real_config_against_its_random_edit(saved_models, workdir, data, as_yaml, fmt):
    name = data.draw(st.sampled_from(EDITABLE))
    edited = data.draw(model_like) if data.draw(st.integers(0, 4)) == 0 else _edited(saved_models, data)
    path = workdir / ("edited.yaml" if as_yaml else "edited.json")
    path.write_text(_dumps(edited, as_yaml))
    extra = data.draw(st.lists(st.sampled_from(["--stat", "--ignore-names", "--ignore=*.seed"]), unique=True))
    a, b = saved_models[name][data.draw(st.sampled_from(["json", "keras"]))], path
    if data.draw(st.booleans()):
        a, b = b, a
    result = invoke("diff", f"--format={fmt}", *extra, a, b)
    assert_clean(result)
    if fmt == "json" and result.exit_code != 2:
        json.loads(result.stdout)


@SETTINGS
@given(data=st.data(), document=rules_documents | json_values, as_yaml=st.booleans())
def test_clone_dry_run_with_random_rules(saved_models, workdir, data, document, as_yaml):
    if isinstance(document, dict | list) and data.draw(st.booleans()):
        mutate(document, random.Random(data.draw(st.integers(0, 2**32))), data.draw(json_values))
    rules = workdir / ("rules.yaml" if as_yaml else "rules.json")
    rules.write_text(_dumps(document, as_yaml))
    options = data.draw(st.lists(st.sampled_from(["--strict", "--format=json"]), unique=True))
    if data.draw(st.integers(0, 3)) == 0:
        source = workdir / "source.json"
        source.write_text(json.dumps(_edited(saved_models, data)))
    else:
        model = saved_models[data.draw(st.sampled_from(MODELS))]
        source = model[data.draw(st.sampled_from(["json", "keras"]))]
    result = invoke("clone", source, "--dry-run", "--rules", rules, *options)
    assert_clean(result)
    if "--format=json" in options and result.exit_code != 2:
        json.loads(result.stdout)


@pytest.mark.parametrize("name", MODELS)
def test_a_model_equals_itself(saved_models, name):
    docs = [read_document(saved_models[name][fmt]) for fmt in FORMATS]
    for doc_a in docs:
        for doc_b in docs:
            assert diff(doc_a, doc_b) == [], (doc_a.label, doc_b.label)
    for fmt in ("text", "json", "markdown"):
        result = invoke("diff", f"--format={fmt}", saved_models[name]["keras"], saved_models[name]["yaml"])
        assert result.exit_code == 0, result.stdout


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), rules=idempotent_rules)
def test_idempotent_rules_applied_twice_equal_applied_once(saved_models, data, rules):
    name = data.draw(st.sampled_from(MODELS))
    config = saved_models[name]["expected"]
    try:
        once, _ = apply_rules(config, rules)
    except RulesError:  # e.g. a dotted path through a string: refused, which is not the property here
        reject()
    twice, _ = apply_rules(copy.deepcopy(once), rules)
    assert twice == once


def test_rules_alias_bomb_is_refused_quickly(saved_models, tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    start = time.monotonic()
    result = invoke("clone", saved_models["sequential"]["json"], "--dry-run", "--rules", bomb)
    assert time.monotonic() - start < 5
    assert_one_line_error(result, str(bomb), "alias bomb")


def test_deeply_nested_rules_file_is_refused(saved_models, tmp_path):
    rules = tmp_path / "deep.json"
    rules.write_text('{"rules": [{"match": {}, "set": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}]}")
    result = invoke("clone", saved_models["sequential"]["json"], "--dry-run", "--rules", rules)
    assert_one_line_error(result, str(rules), "nested too deeply")


def test_model_schema_names_the_field_inside_config():
    """Not `config must be a list or an object` when config is an object with a bad layer in it."""
    config = {"layers": [{"class_name": 3, "name": "x", "config": {"name": "x"}}]}
    result = invoke("validate", "--format=json", "-", input=json.dumps(config))
    (error,) = json.loads(result.stdout)["files"][0]["errors"]
    assert (error["pointer"], error["message"]) == (
        "/config/layers/0/class_name",
        "class_name must be a string, got 3",
    )


def test_set_everywhere_keeps_build_config_when_only_shape_safe_keys_were_found():
    """A key of set_everywhere that occurs nowhere (`foo`) does not count as a shape-changing edit."""
    dense = {"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": {"config": {}}}}
    dense["config"]["kernel_initializer"]["config"]["seed"] = None
    dense["build_config"] = {"input_shape": [None, 4]}
    config = {"name": "m", "layers": [dense]}
    once, _ = apply_rules(config, {"rules": [{"match": {}, "set_everywhere": {"seed": 1, "foo": 2}}]})
    assert once["layers"][0]["build_config"] == {"input_shape": [None, 4]}
    assert once["layers"][0]["config"]["kernel_initializer"]["config"]["seed"] == 1


def test_lone_surrogate_in_a_model_is_refused(tmp_path):
    source = tmp_path / "model.json"
    source.write_text('{"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "d\\ud800"}}]}')
    for command in ("inspect", "validate", "dump"):
        assert_one_line_error(invoke(command, source), str(source), "lone surrogate")


def test_surrogate_escapes_in_a_json_rules_file(saved_models, tmp_path):
    """An escaped pair is one character (YAML alone reads two lone surrogates); a lone one is refused."""
    rules = tmp_path / "rules.json"
    rules.write_text('{"model": {"name": "\\ud83d\\ude00"}}')
    result = invoke("clone", saved_models["sequential"]["json"], "--dry-run", "--rules", rules)
    assert result.exit_code == 0 and "\U0001f600" in result.stdout, result.stderr
    rules.write_text('{"model": {"name": "\\ud83d"}}')
    result = invoke("clone", saved_models["sequential"]["json"], "--dry-run", "--rules", rules)
    assert_one_line_error(result, f"{rules}:1", "lone surrogate")


def test_an_action_after_remove_is_refused_with_its_line(saved_models, tmp_path):
    """Once removed, the layer is not in the model: `unwrap` after `remove` used to fail with a dump of it."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - match: {name: dense_1}\n    remove: true\n    unwrap: true\n")
    result = invoke("clone", saved_models["sequential"]["json"], "--dry-run", "--rules", rules)
    assert_one_line_error(result, f"{rules}:4", "remove must be the rule's last action")


@pytest.mark.parametrize("path", ["rules\x00.yaml", "\ud800.yaml"])
def test_unusable_rules_path_is_a_rules_error(saved_models, path):
    with pytest.raises(RulesError, match="cannot read rules file"):
        apply_rules(saved_models["sequential"]["expected"], path)
