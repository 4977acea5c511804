"""Property tests: arbitrary and randomly edited inputs never crash the reader's commands."""

from __future__ import annotations

import json
import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import assert_clean, invoke
from tests.strategies import json_values, model_like, mutate

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


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
        mutate(config, rng, data.draw(json_values))
    command = data.draw(st.sampled_from(["dump", "inspect"]))
    assert_clean(invoke(command, "-", input=json.dumps(config)))


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
