"""rules/setcli.py: `--set PATH=VALUE` becomes a required rule or a model setting."""

from __future__ import annotations

import pytest

from modelcfg_cli.errors import UsageError
from modelcfg_cli.rules.setcli import parse_set


def test_layer_field_becomes_a_required_rule():
    rule = parse_set("layers.dense_1.units=10").rules[0]
    assert rule.match == {"name": "dense_1"} and rule.actions == (("set", {"units": 10}),)
    assert rule.required and rule.where == "--set layers.dense_1.units=10"


def test_nested_path_and_flow_values():
    rule = parse_set("layers.outer/inner.kernel_size=[3, 3]").rules[0]
    assert rule.match == {"path": "outer/inner"} and rule.actions == (("set", {"kernel_size": [3, 3]}),)
    assert parse_set("layers.d.activation=").rules[0].actions == (("set", {"activation": ""}),)


def test_model_setting():
    assert parse_set("model.dtype_policy=mixed_float16").model == {"dtype_policy": "mixed_float16"}


@pytest.mark.parametrize(
    ("option", "fragment"),
    [
        ("layers.d.units", "expected PATH=VALUE"),
        ("units=3", "PATH must be layers.NAME.FIELD"),
        ("layers.d=3", "PATH must be layers.NAME.FIELD"),
        ("layers.d.units=[1, 2", "cannot read the value"),
    ],
)
def test_bad_options_say_why(option, fragment):
    with pytest.raises(UsageError, match=fragment.replace(".", r"\.")):
        parse_set(option)
