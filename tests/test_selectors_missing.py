"""`where` on a field a layer does not have: a comparison never holds; `exists` asks the other question."""

from __future__ import annotations

import pytest

from modelcfg_cli.rules.selectors import matches

DENSE = {"class_name": "Dense", "config": {"name": "head", "units": 4}}
TEN = {"class_name": "Dense", "config": {"name": "ten", "units": 10}}
DROPOUT = {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}}
LAYERS = [DENSE, TEN, DROPOUT]


def selected(where: dict) -> list[str]:
    return [e["config"]["name"] for e in LAYERS if matches({"where": where}, e["config"]["name"], "", e)]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"units": {"ne": 10}}, ["head"]),
        ({"units": {"lt": 100}}, ["head", "ten"]),
        ({"units": {"exists": True}}, ["head", "ten"]),
        ({"units": {"exists": False}}, ["drop"]),
        ({"units": {"exists": True, "ne": 4}}, ["ten"]),
        ({"units": {"regex": "."}}, []),
    ],
)
def test_a_comparison_on_a_missing_field_does_not_match(where, expected):
    assert selected(where) == expected


def test_ne_through_the_rules_language_skips_layers_without_the_field():
    from modelcfg_cli import apply_rules

    config = {"name": "m", "layers": [dict(entry) for entry in LAYERS]}
    rules = {"rules": [{"match": {"where": {"units": {"ne": 10}}}, "set": {"trainable": False}}]}
    _, report = apply_rules(config, rules)
    assert report.results[0].matched == ("head",)
