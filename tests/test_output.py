"""output/: JSON text and the renderer registries."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from modelcfg_cli.output import json_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, indent=st.integers(0, 4), sort_keys=st.booleans())
def test_json_text_matches_json_dumps(value, indent, sort_keys):
    expected = json.dumps(value, indent=indent or None, sort_keys=sort_keys)
    assert json_text(value, " " * indent, sort_keys) == expected


def test_json_text_drops_keys_at_every_depth():
    value = {"a": {"shared_object_id": 1, "b": [{"shared_object_id": 2, "c": 3}]}}
    assert json.loads(json_text(value, "  ", drop_keys=frozenset({"shared_object_id"}))) == {
        "a": {"b": [{"c": 3}]}
    }


def test_format_choices_come_from_the_renderer_registries():
    from modelcfg_cli.commands.compare import compare_command
    from modelcfg_cli.commands.diff import diff_command
    from modelcfg_cli.commands.inspect import inspect_command
    from modelcfg_cli.commands.validate import validate
    from modelcfg_cli.output import compare_report, diff_report, findings, summary

    for command, registry in (
        (validate, findings.RENDERERS),
        (inspect_command, summary.RENDERERS),
        (diff_command, diff_report.RENDERERS),
        (compare_command, compare_report.RENDERERS),
    ):
        option = next(p for p in command.params if p.name == "fmt")
        assert list(option.type.choices) == list(registry), command.name


def test_scan_formats_come_from_the_findings_registry():
    from modelcfg_cli.commands.scan import scan_command
    from modelcfg_cli.output import findings

    option = next(p for p in scan_command.params if p.name == "fmt")
    assert list(option.type.choices) == list(findings.RENDERERS)
