"""`modelcfg compare` and `clone --check` end to end: exit codes, the three formats, error lines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from modelcfg_cli.output.compare_report import COLUMNS
from tests.compare_models import CHANGE, CHANGED_ELEMENT
from tests.helpers import assert_one_line_error, invoke, run_without_keras

FAITHFUL_RULES = """
rules:
  - match: {class_name: Dropout}
    rename: "kept_{name}"
  - match: {}
    freeze: true
model:
  name: renamed_model
"""


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "faithful.yaml"
    path.write_text(FAITHFUL_RULES)
    return path


def test_a_changed_kernel_element_exits_1_and_names_the_output(compare_files):
    result = invoke("compare", compare_files["two_heads"], compare_files["two_heads_changed"])
    assert result.exit_code == 1, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[4:-1]}
    assert rows["score"][-1] == "DIFFERENT" and rows["label"][-1] == "ok"
    assert result.stdout.splitlines()[-1].startswith("DIFFERENT: 1 of 2 output(s) beyond")


def test_json_report(compare_files):
    result = invoke(
        "compare", compare_files["two_heads"], compare_files["two_heads_changed"], "--format", "json"
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert list(data) == ["equal", "atol", "rtol", "inputs", "outputs"]
    assert data["equal"] is False and (data["atol"], data["rtol"]) == (1e-5, 1e-4)
    assert data["inputs"] == [
        {"name": "tokens", "shape": [4, 6], "dtype": "int32"},
        {"name": "features", "shape": [4, 5], "dtype": "float32"},
    ]
    label, score = data["outputs"]
    keys = ["name", "shape", "max_abs", "max_rel", "mean_abs", "nan", "inf", "argmax_agree"]
    assert list(label) == keys and label["name"] == "label" and label["shape"] == [4, 4]
    assert label["max_abs"] == 0 and label["argmax_agree"] == 1.0
    assert score["name"] == "score" and score["max_abs"] > 0 and score["argmax_agree"] is None
    assert score["nan"] == [0, 0] and score["inf"] == [0, 0]


def test_markdown_report(compare_files):
    result = invoke(
        "compare", compare_files["two_heads"], compare_files["two_heads_changed"], "--format", "markdown"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("**DIFFERENT**: `")
    header = lines.index("| " + " | ".join(COLUMNS) + " |")
    assert lines[header + 1] == "|" + "---|" * len(COLUMNS)
    rows = [line for line in lines[header + 2 :] if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows] == ["| label", "| score"]
    assert rows[1].endswith("| DIFFERENT |")


def test_a_large_enough_tolerance_accepts_the_change(compare_files):
    result = invoke("compare", compare_files["two_heads"], compare_files["two_heads_changed"], "--atol", "1")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("equal: 2 output(s) within |A-B| <= 1 + 0.0001 * |A|")


def test_inputs_from_an_npz_file(compare_files, tmp_path):
    features = np.zeros((3, 5), "float32")
    features[:, CHANGED_ELEMENT[0]] = 1.0
    good = tmp_path / "inputs.npz"
    np.savez(good, tokens=np.zeros((3, 6), "int32"), features=features)
    result = invoke(
        "compare",
        compare_files["two_heads"],
        compare_files["two_heads_changed"],
        "--inputs",
        good,
        "--format",
        "json",
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["inputs"][1] == {"name": "features", "shape": [3, 5], "dtype": "float32"}
    assert data["outputs"][1]["max_abs"] == pytest.approx(CHANGE, rel=1e-6)


@pytest.mark.parametrize(
    ("arrays", "fragment"),
    [
        ({"tokens": np.zeros((3, 6), "int32")}, "no array named 'features' for that input"),
        (
            {"tokens": np.zeros((3, 6), "int32"), "features": np.zeros((3, 5)), "extra": np.zeros(1)},
            "array 'extra' names no model input (inputs: features, tokens)",
        ),
        (
            {"tokens": np.zeros((3, 6), "int32"), "features": np.zeros((3, 4))},
            "array 'features' has shape (3, 4), the input takes (None, 5)",
        ),
    ],
)
def test_bad_npz_inputs_are_one_line(compare_files, tmp_path, arrays, fragment):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    result = invoke("compare", compare_files["two_heads"], compare_files["two_heads"], "--inputs", path)
    assert_one_line_error(result, str(path), fragment)


def test_models_that_do_not_match_exit_2_in_one_line(compare_files, tmp_path):
    other_inputs = invoke("compare", compare_files["two_heads"], compare_files["plain"])
    assert_one_line_error(other_inputs, "plain.keras: has 1 input(s)", "two_heads.keras has 2")
    fewer = tmp_path / "fewer_classes.keras"
    assert (
        invoke("clone", compare_files["plain"], "-o", fewer, "--set", "layers.probs.units=2").exit_code == 0
    )
    other_outputs = invoke("compare", compare_files["plain"], fewer)
    assert_one_line_error(other_outputs, "fewer_classes.keras: output 0 has shape (None, 2)", "has (None, 3)")


def test_a_faithful_clone_is_equal(compare_files, rules_file, tmp_path):
    out = tmp_path / "clone.keras"
    cloned = invoke("clone", compare_files["two_heads"], "-o", out, "--keep-weights", "--rules", rules_file)
    assert cloned.exit_code == 0, cloned.stderr
    result = invoke("compare", compare_files["two_heads"], out, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["equal"] is True


def test_a_keras2_h5_against_its_clone(legacy_dir, tmp_path):
    out = tmp_path / "upgraded.keras"
    assert invoke("clone", legacy_dir["keras2_h5"], "-o", out, "--keep-weights").exit_code == 0
    result = invoke("compare", legacy_dir["keras2_h5"], out)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "keras2_model.h5: upgraded from Keras 2.3.1" in result.stderr
    assert "input_1 4x5 float32" in result.stdout


def test_a_config_without_weights_is_refused(saved_models):
    result = invoke("compare", saved_models["sequential"]["json"], saved_models["sequential"]["keras"])
    assert_one_line_error(result, "sequential.json: holds a config but no weights")


def test_compare_help_imports_no_keras():
    assert "--atol" in run_without_keras("compare", "--help")


def test_clone_check_passes_for_a_faithful_clone(compare_files, rules_file, tmp_path):
    out = tmp_path / "checked.keras"
    result = invoke(
        "clone", compare_files["two_heads"], "-o", out, "--keep-weights", "--rules", rules_file, "--check"
    )
    assert result.exit_code == 0, result.stderr
    assert "check passed: 2 output(s) within |A-B| <= 1e-05 + 0.0001 * |A| (max_abs 0)" in result.stdout


def _clone_and_check(compare_files, out, setting: str):
    """`clone plain -o OUT --keep-weights --check --set SETTING`."""
    return invoke("clone", compare_files["plain"], "-o", out, "--keep-weights", "--check", "--set", setting)


def test_clone_check_fails_when_an_activation_changes(compare_files, tmp_path):
    out = tmp_path / "tanh.keras"
    result = _clone_and_check(compare_files, out, "layers.dense_1.activation=tanh")
    assert result.exit_code == 1
    assert out.exists()  # kept, and reported
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"modelcfg: error: wrote {out}; check FAILED: output 'probs' max_abs ")


def test_clone_check_cannot_compare_a_clone_with_other_shapes(compare_files, tmp_path):
    out = tmp_path / "units.keras"
    result = _clone_and_check(compare_files, out, "layers.probs.units=2")
    assert out.exists()
    assert_one_line_error(
        result, f"wrote {out}; cannot check it:", "output 0 has shape (None, 2)", "has (None, 3)"
    )


def test_clone_check_needs_weights_to_compare(compare_files, tmp_path):
    out = tmp_path / "fresh.keras"
    result = invoke("clone", compare_files["plain"], "-o", out, "--check")
    assert_one_line_error(result, "--check: needs --keep-weights")
    assert not out.exists()


def test_stdin_is_refused_in_one_line(compare_files):
    with open(compare_files["plain"], "rb") as handle:
        result = invoke("compare", "-", compare_files["plain"], input=handle.read())
    assert_one_line_error(result, "error: -: compare reads model files, not stdin")


def test_a_savedmodel_without_its_variables_is_not_compared(tmp_path):
    import shutil
    from pathlib import Path

    fixture = Path(__file__).resolve().parent.parent / "tf_fixtures" / "data" / "mlp_savedmodel" / "model"
    bare = tmp_path / "bare"
    shutil.copytree(fixture, bare)
    shutil.rmtree(bare / "variables")
    clone = tmp_path / "clone.keras"
    assert invoke("clone", fixture, "-o", clone, "--keep-weights").exit_code == 0
    result = invoke("compare", bare, clone)
    assert_one_line_error(result, "bare: holds no weights")
