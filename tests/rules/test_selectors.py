"""rules/selectors.py: what a rule's `match` selects."""

from __future__ import annotations

import pytest

from modelcfg_cli.rules.selectors import MISSING, lookup, matches

DENSE = {
    "class_name": "Dense",
    "registered_name": None,
    "config": {"name": "head", "units": 10, "kernel_initializer": {"config": {"seed": 3}}, "shape": [1, 2]},
}
CUSTOM = {"class_name": "QDense", "registered_name": "qkeras>QDense", "config": {"name": "q"}}


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({}, True),
        ({"class_name": "Dense"}, True),
        ({"class_name": ["Conv2D", "Dense"]}, True),
        ({"class_name": "Conv2D"}, False),
        ({"name": "he*"}, True),
        ({"name": "Head"}, False),
        ({"name_regex": "^h.a"}, True),
        ({"path": "outer/*"}, True),
        ({"path": "other/*"}, False),
        ({"where": {"units": 10}}, True),
        ({"where": {"units": {"gt": 5, "lt": 20}}}, True),
        ({"where": {"units": {"ge": 11}}}, False),
        ({"where": {"units": {"in": [1, 10]}}}, True),
        ({"where": {"kernel_initializer.config.seed": 3}}, True),
        ({"where": {"shape": [1, 2]}}, True),
        ({"where": {"shape": {"eq": (1, 2)}}}, True),
        ({"where": {"name": {"regex": "ea"}}}, True),
        ({"where": {"units": {"regex": "1"}}}, False),
        ({"where": {"units": {"gt": "a"}}}, False),
        ({"where": {"rate": {"exists": False}}}, True),
        ({"where": {"units": {"exists": True}}}, True),
        ({"where": {"rate": {"gt": 0}}}, False),
        ({"class_name": "Dense", "name": "nope"}, False),
    ],
)
def test_matches(match, expected):
    assert matches(match, "head", "outer/head", DENSE) is expected


def test_registered_name_selects_a_custom_class():
    assert matches({"class_name": "qkeras>QDense"}, "q", "q", CUSTOM)
    assert not matches({"class_name": "Dense"}, "q", "q", CUSTOM)


def test_lookup_walks_dicts_and_list_indices():
    config = {"a": {"b": [10, {"c": 3}]}}
    assert lookup(config, "a.b.1.c") == 3
    assert lookup(config, "a.b.0") == 10
    assert lookup(config, "a.b.2") is MISSING
    assert lookup(config, "a.x") is MISSING
    assert lookup(config, "a.b.c") is MISSING
