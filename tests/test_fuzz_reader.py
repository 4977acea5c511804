"""Property tests: arbitrary and randomly edited inputs never crash the reader's commands."""

from __future__ import annotations

import json
import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import invoke

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
layer_like = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Dense", "InputLayer", "Functional", "Sequential", "__keras_tensor__"])},
    optional={
        "config": json_values,
        "name": st.text(max_size=5) | st.integers(),
        "inbound_nodes": json_values,
    },
)
model_like = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Functional", "Sequential", "Model"])},
    optional={
        "config": st.fixed_dictionaries(
            {},
            optional={
                "layers": st.lists(layer_like | json_values, max_size=5),
                "input_layers": json_values,
                "output_layers": json_values,
                "name": json_values,
            },
        )
        | json_values
    },
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def assert_clean(result) -> None:
    assert result.exit_code in (0, 1, 2), result.exit_code
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1


@SETTINGS
@given(value=json_values | model_like, as_yaml=st.booleans(), command=st.sampled_from(["dump", "inspect"]))
def test_arbitrary_documents(value, as_yaml, command):
    text = yaml.safe_dump(value) if as_yaml else json.dumps(value)
    assert_clean(invoke(command, "-", input=text))


@SETTINGS
@given(data=st.data())
def test_random_edits_of_real_configs(saved_models, data):
    config = json.loads(open(saved_models["nested"]["json"]).read())
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(data.draw(st.integers(1, 5))):
        _mutate(config, rng, data.draw(json_values))
    command = data.draw(st.sampled_from(["dump", "inspect"]))
    assert_clean(invoke(command, "-", input=json.dumps(config)))


def _mutate(value, rng: random.Random, replacement) -> None:
    """Replace, delete or retype one randomly chosen node somewhere inside `value`."""
    parent = value
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            return
        key = rng.choice(keys)
        child = parent[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.7:
            parent = child
            continue
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[key]
        else:
            parent[key] = replacement
        return


def test_malformed_tensor_and_class_names_do_not_crash():
    config = {
        "class_name": "Functional",
        "config": {
            "layers": [
                {"class_name": ["Dense"], "config": {}, "name": "a"},
                {
                    "class_name": "Dense",
                    "config": {},
                    "name": "b",
                    "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": "oops"}]}],
                },
            ]
        },
    }
    for command in ("dump", "inspect"):
        assert_clean(invoke(command, "-", input=json.dumps(config)))
