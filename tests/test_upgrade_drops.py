"""The Keras 2 upgrade never drops a value that mattered without a warning: in the report of `clone`,
`dump --upgrade` and `validate --upgrade`; with `--strict`, a failure (exit 1)."""

from __future__ import annotations

import json

import pytest

from modelcfg_cli.legacy.dropped import upgrade_warnings
from modelcfg_cli.legacy.names import REMOVED_KWARGS, SPEED_ONLY
from modelcfg_cli.legacy.upgrade import SHAPE_KWARGS, upgrade_envelope
from tests.helpers import invoke


def not_default(default: object) -> object:
    """A value other than `default`, of the kind the argument takes."""
    if isinstance(default, bool):
        return not default
    if isinstance(default, int):
        return default + 2
    return "lambda" if isinstance(default, str) else 3


def keras2(*layers: dict) -> dict:
    """A Keras 2.4 `Sequential.to_json()` holding `layers` after an input layer."""
    first = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 4, 2], "name": "pixels"}}
    return {
        "class_name": "Sequential",
        "keras_version": "2.4.0",
        "backend": "tensorflow",
        "config": {"name": "old", "layers": [first, *layers]},
    }


def layer(class_name: str, name: str, **config) -> dict:
    return {"class_name": class_name, "config": {"name": name, **config}}


OLD = keras2(
    layer("DepthwiseConv2D", "dw", kernel_size=[1, 1], groups=4),
    layer("Reshape", "seq", target_shape=[16, 2]),
    layer("LSTM", "lstm", units=3, time_major=True, implementation=2),
)
DEFAULTS = keras2(
    layer("DepthwiseConv2D", "dw", kernel_size=[1, 1], groups=1),
    layer("Reshape", "seq", target_shape=[16, 2]),
    layer("LSTM", "lstm", units=3, time_major=False, implementation=1),
)


def warnings_of(envelope: dict) -> list[str]:
    return upgrade_warnings(upgrade_envelope(envelope)[1])


def test_time_major_and_groups_are_warnings():
    assert warnings_of(OLD) == [
        "dw: dropped groups=4 (DepthwiseConv2D in Keras 3 has no such argument; Keras 3 computes as with "
        "groups=1)",
        "lstm: dropped time_major=True (LSTM in Keras 3 has no such argument; Keras 3 computes as with "
        "time_major=False)",
    ]


def test_defaults_and_speed_hints_drop_silently():
    assert warnings_of(DEFAULTS) == []


DROPPABLE = sorted(set(REMOVED_KWARGS) - set(SHAPE_KWARGS))


@pytest.mark.parametrize("key", DROPPABLE)
def test_every_removed_argument_warns_only_off_its_default(key):
    default = REMOVED_KWARGS[key]
    quiet = keras2(layer("Dense", "d", units=2, **{key: default}))
    loud = keras2(layer("Dense", "d", units=2, **{key: not_default(default)}))
    assert warnings_of(quiet) == []
    (warning,) = warnings_of(loud)
    assert warning.startswith(f"d: dropped {key}=") and repr(default) in warning
    upgraded = upgrade_envelope(loud)[0]
    assert key not in upgraded["config"]["layers"][-1]["config"]


@pytest.mark.parametrize("key", sorted(SPEED_ONLY))
def test_speed_hints_never_warn(key):
    assert (
        warnings_of(keras2(layer("LSTM", "l", units=2, **{key: "gpu" if key == "consume_less" else 0}))) == []
    )


def test_an_unknown_argument_with_a_value_warns():
    (warning,) = warnings_of(keras2(layer("Dense", "d", units=2, fancy=7, quiet=None)))
    assert warning == "d: dropped fancy=7 (Dense in Keras 3 has no such argument; its value is lost)"


@pytest.fixture(scope="module")
def old_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("drops") / "old.json"
    path.write_text(json.dumps(OLD))
    return path


def test_clone_reports_the_warnings_and_builds(old_file, tmp_path):
    result = invoke("clone", old_file, "-o", tmp_path / "new.keras")
    assert result.exit_code == 0, result.stderr
    assert "  warning: dw: dropped groups=4" in result.stdout
    assert "  warning: lstm: dropped time_major=True" in result.stdout
    assert (tmp_path / "new.keras").exists()


def test_clone_strict_fails_and_writes_nothing(old_file, tmp_path):
    result = invoke("clone", old_file, "-o", tmp_path / "new.keras", "--strict")
    assert result.exit_code == 1
    assert "error: builtin:keras2: lstm: dropped time_major=True" in result.stdout  # the report
    assert result.stderr.startswith("modelcfg: error: ")
    assert not (tmp_path / "new.keras").exists()


def test_clone_json_report_carries_the_warnings(old_file):
    result = invoke("clone", old_file, "--dry-run", "--format", "json")
    notes = json.loads(result.stdout)["rules"][0]["notes"]
    assert any(note.startswith("warning: dw: dropped groups=4") for note in notes)


def test_dump_upgrade_warns_on_stderr(old_file):
    result = invoke("dump", "--upgrade", old_file)
    assert result.exit_code == 0
    assert "modelcfg: warning: " in result.stderr and "dropped time_major=True" in result.stderr
    assert "time_major" not in result.stdout
    strict = invoke("dump", "--upgrade", "--strict", old_file)
    assert strict.exit_code == 1 and strict.stdout == ""
    assert "the upgrade dropped 2 non-default value(s) (--strict)" in strict.stderr


def test_validate_upgrade_warns_and_strict_fails(old_file):
    result = invoke("validate", "--upgrade", "--format", "json", old_file)
    assert result.exit_code == 0
    warnings = [w["message"] for w in json.loads(result.stdout)["files"][0]["warnings"]]
    assert any("dropped groups=4" in w for w in warnings)
    strict = invoke("validate", "--upgrade", "--strict", "--format", "json", old_file)
    assert strict.exit_code == 1
    errors = [e["message"] for e in json.loads(strict.stdout)["files"][0]["errors"]]
    assert any("dropped time_major=True" in e for e in errors)


def test_builtin_keras2_counts_the_layers_it_changed(old_file):
    result = invoke("clone", old_file, "--dry-run")
    assert result.stdout.splitlines()[0] == "builtin:keras2: built-in rewrite: 3 layers"
