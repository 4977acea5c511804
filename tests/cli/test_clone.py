"""`modelcfg clone` end to end: exit codes, reports on stdout, one-line errors, nothing written on failure."""

from __future__ import annotations

import json
import os

from tests.helpers import assert_one_line_error, invoke, run_without_keras

WRAP = """\
rules:
  - match: {class_name: LSTM}
    wrap: {class_name: Bidirectional, config: {merge_mode: concat}}
  - match: {}
    set_everywhere: {seed: 1337}
"""


def rules_file(tmp_path, text: str, name: str = "rules.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_clone_with_rules_reports_and_writes(saved_models, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke("clone", saved_models["rnn"]["keras"], "-o", out, "--rules", rules_file(tmp_path, WRAP))
    assert result.exit_code == 0, result.stderr
    assert "rules.yaml:2: wrap on class_name=LSTM: 1 layer" in result.stdout
    assert "lstm_2\n  wrapped: in Bidirectional (LSTM -> Bidirectional(LSTM))" in result.stdout
    assert f"wrote {out} (keras, numpy backend)" in result.stdout
    assert out.is_file()


def test_json_report_and_json_output(saved_models, tmp_path):
    out = tmp_path / "seq.json"
    result = invoke(
        "clone",
        saved_models["sequential"]["keras"],
        "-o",
        out,
        "--set",
        "layers.dense_1.units=10",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rules"][0]["count"] == 1 and report["result"]["format"] == "json"
    assert {"kind": "changed", "layer": "dense_1", "path": "units", "old": 8, "new": 10} in report["changes"]
    assert json.loads(out.read_text())["config"]["layers"][1]["config"]["units"] == 10


def test_rules_file_error_is_one_line_with_file_and_line(saved_models, tmp_path):
    path = rules_file(
        tmp_path, "rules:\n  - match: {}\n    freeze: true\n  - match: {name: x}\n    wrapp: {}\n"
    )
    out = tmp_path / "out.keras"
    result = invoke("clone", saved_models["sequential"]["keras"], "-o", out, "--rules", path)
    assert_one_line_error(result, f"{path}:5: unknown action 'wrapp'; did you mean 'wrap'?")
    assert not out.exists()


def test_invalid_rewrite_exits_1_and_writes_nothing(saved_models, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "-o", out, "--set", "layers.dense_2.units=-1"
    )
    assert result.exit_code == 1
    assert "units must be an integer >= 1, got -1" in result.stdout  # the report: stdout, as on success
    assert result.stderr.strip().endswith("1 problem(s) in the rewritten model; nothing written")
    assert list(tmp_path.iterdir()) == []


def test_strict(saved_models, tmp_path):
    path = rules_file(tmp_path, "rules:\n  - match: {class_name: GRU}\n    freeze: true\n")
    out = tmp_path / "out.keras"
    result = invoke("clone", saved_models["sequential"]["keras"], "-o", out, "--rules", path, "--strict")
    assert result.exit_code == 1 and "rule matched no layer" in result.stdout and not out.exists()
    assert result.stderr.startswith("modelcfg: error: ")
    result = invoke("clone", saved_models["sequential"]["keras"], "-o", out, "--rules", path)
    assert result.exit_code == 0 and out.exists()


def test_unknown_layer_in_set(saved_models, tmp_path):
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "--dry-run", "--set", "layers.dense_3.units=1"
    )
    assert_one_line_error(result, "--set layers.dense_3.units=1: no layer named 'dense_3'", "did you mean")


def test_dry_run_writes_nothing(saved_models, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke(
        "clone",
        saved_models["nested"]["keras"],
        "-o",
        out,
        "--dry-run",
        "--set",
        "layers.inner_block/inner_dense.units=2",
    )
    assert result.exit_code == 0, result.stderr
    assert "inner_block/inner_dense\n  units: 3 -> 2" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_dry_run_imports_no_keras(saved_models, tmp_path):
    path = rules_file(tmp_path, WRAP)
    args = ["clone", saved_models["rnn"]["keras"], "--dry-run", "--rules", path]
    assert "wrapped: in Bidirectional" in run_without_keras(*args)


def test_lambda_refused_then_accepted(saved_models, tmp_path):
    out = tmp_path / "l.keras"
    result = invoke("clone", saved_models["lambda"]["keras"], "-o", out)
    assert_one_line_error(result, "'double' is a Lambda", "--unsafe")
    assert not out.exists()
    result = invoke("clone", saved_models["lambda"]["keras"], "-o", out, "--unsafe")
    assert result.exit_code == 0, result.stderr
    assert out.is_file()


def test_unknown_class_names_the_fix(saved_models, tmp_path):
    result = invoke(
        "clone",
        saved_models["sequential"]["keras"],
        "-o",
        tmp_path / "x.keras",
        "--set",
        "layers.dense_1.kernel_regularizer={class_name: MyReg, module: my_pkg, config: {}}",
        "--import",
        "json",
    )
    assert_one_line_error(result, "'MyReg'", "--import MODULE")


def test_usage_errors(saved_models, tmp_path):
    source = saved_models["sequential"]["keras"]
    assert_one_line_error(invoke("clone", source, "-o", source), "overwrite the input")
    assert_one_line_error(invoke("clone", source, "-o", tmp_path / "none" / "x.keras"), "does not exist")
    assert_one_line_error(invoke("clone", source), "missing -o OUT")
    assert_one_line_error(
        invoke("clone", source, "-o", tmp_path / "x.keras", "--import", "no_such_mod"), "no_such_mod"
    )
    before = os.stat(source).st_mtime_ns
    assert invoke("clone", source, "-o", tmp_path / "x.keras").exit_code == 0
    assert os.stat(source).st_mtime_ns == before


def test_old_spellings_still_work_with_a_line_saying_the_new_one(saved_models, tmp_path):
    out = tmp_path / "seq.out"
    result = invoke(
        "clone", saved_models["sequential"]["keras"], "-o", out, "--format", "h5", "--report", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert "--format h5 is now --save-format h5" in result.stderr
    assert "--report json is now --format json" in result.stderr
    assert json.loads(result.stdout)["result"]["format"] == "h5"
    import h5py

    assert h5py.is_hdf5(out)


def test_an_output_extension_that_names_no_format_is_one_line(saved_models, tmp_path):
    result = invoke("clone", saved_models["sequential"]["keras"], "-o", tmp_path / "model.bin")
    assert_one_line_error(result, "cannot tell the format from '.bin'; pass --save-format keras|h5|json")
    assert not (tmp_path / "model.bin").exists()
