"""`modelcfg scan` and `validate`'s scan warnings, policies and SARIF end to end."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, invoke, run_without_keras

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
POLICY = """\
policies:
  - id: regularized-dense
    match: {class_name: Dense}
    require: {required: [kernel_regularizer], properties: {kernel_regularizer: {type: object}}}
    message: every Dense needs a kernel regularizer
  - id: no-lambda
    match: {class_name: Lambda}
    forbid: true
    severity: warning
"""


def sarif_of(result) -> dict:
    """The SARIF log on stdout, checked against the OASIS SARIF 2.1.0 schema."""
    from jsonschema import Draft4Validator

    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == [], errors[0].message if errors else ""
    return log


def test_clean_files_exit_0(saved_models):
    result = invoke("--color", "never", "scan", saved_models["nested"]["keras"], saved_models["rnn"]["h5"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2 files scanned: 2 passed, 0 failed (0 errors, 0 warnings)"


def test_findings_exit_1_with_layer_paths_and_rules(code_models):
    result = invoke("--color", "never", "scan", code_models["keras"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{code_models['keras']}: failed (")
    assert any(
        line.startswith(
            "  error   layers[11].layers[1] td/inner/hidden_lambda (Lambda): Lambda layer: loading runs"
        )
        and line.endswith("[lambda] (at /config/layers/11/config/layer/config/layers/1)")
        for line in lines
    )
    assert any("warning layers[3] custom (Scale): needs code from 'acme'" in line for line in lines)


def test_warnings_only_exit_0_and_strict_exit_1(tmp_path, saved_models):
    envelope = json.loads(Path(saved_models["sequential"]["json"]).read_text())
    envelope["config"]["layers"][1].update(registered_name="acme>Dense2", module="acme.layers")
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(envelope))
    assert invoke("scan", path).exit_code == 0
    strict = invoke("scan", "--strict", "--format", "json", path)
    assert strict.exit_code == 1
    [error] = json.loads(strict.stdout)["files"][0]["errors"]
    assert error["rule"] == "custom-class" and error["layer"] == "dense_1"


def test_json_report(code_models):
    result = invoke("scan", "--format", "json", code_models["h5"])
    report = json.loads(result.stdout)
    assert set(report) == {"files", "summary"}
    [entry] = report["files"]
    lam = next(e for e in entry["errors"] if e["layer"] == "td/inner/hidden_lambda")
    assert lam == {
        "pointer": "/config/layers/11/config/layer/config/layers/1",
        "layer": "td/inner/hidden_lambda",
        "class_name": "Lambda",
        "message": lam["message"],
        "severity": "error",
        "rule": "lambda",
    }
    assert report["summary"]["errors"] == len(entry["errors"]) and report["summary"]["invalid"] == 1


def test_github_annotations(code_models):
    lines = invoke("scan", "--format", "github", code_models["keras"]).stdout.splitlines()
    assert any(
        line.startswith("::error file=") and "td/inner/hidden_lambda (Lambda)" in line for line in lines
    )
    assert lines[-1].startswith("1 file scanned: 0 passed, 1 failed")


def test_sarif_is_valid_and_ready_for_code_scanning(code_models, tmp_path, monkeypatch):
    evil = tmp_path / "evil.keras"
    evil.write_bytes(Path(code_models["keras"]).read_bytes())
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr("assets/x.pkl", b"\x80\x04K\x01.")
    monkeypatch.chdir(tmp_path)
    log = sarif_of(invoke("scan", "--format", "sarif", "evil.keras", "missing.keras"))
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("modelcfg", "https://modelcfg.dev")
    rules = [rule["id"] for rule in driver["rules"]]
    assert {"lambda", "pickle", "external-graph", "custom-class", "foreign-module"} <= set(rules)
    lam = next(r for r in run["results"] if r["properties"].get("layer") == "td/inner/hidden_lambda")
    assert (lam["ruleId"], lam["level"], rules[lam["ruleIndex"]]) == ("lambda", "error", "lambda")
    location = lam["locations"][0]
    artifact = {"uri": "evil.keras", "uriBaseId": "%SRCROOT%"}
    assert location["physicalLocation"]["artifactLocation"] == {**artifact, "index": 0}
    digest = hashlib.sha256(evil.read_bytes()).hexdigest()
    assert run["artifacts"] == [{"location": artifact, "hashes": {"sha-256": digest}}]
    fingerprints = {tuple(r["partialFingerprints"]) for r in run["results"]}
    assert fingerprints == {("primaryLocationLineHash", "modelcfgFinding/v1")}
    names = {place["fullyQualifiedName"] for place in location["logicalLocations"]}
    assert names == {"td/inner/hidden_lambda", "/config/layers/11/config/layer/config/layers/1"}
    pickled = next(r for r in run["results"] if r["ruleId"] == "pickle")
    assert pickled["properties"]["member"] == "assets/x.pkl"
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "missing.keras" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_validate_sarif_with_policies(saved_models, tmp_path):
    policy = tmp_path / "team.yaml"
    policy.write_text(POLICY)
    result = invoke("validate", "--format", "sarif", "--policy", policy, saved_models["lambda"]["keras"])
    assert result.exit_code == 1
    run = sarif_of(result)["runs"][0]
    by_rule = {}
    for item in run["results"]:
        by_rule.setdefault(item["ruleId"], []).append(item)
    assert set(by_rule) == {"regularized-dense", "no-lambda", "lambda"}
    assert by_rule["no-lambda"][0]["level"] == "warning" and by_rule["lambda"][0]["level"] == "warning"
    descriptions = {r["id"]: r["shortDescription"]["text"] for r in run["tool"]["driver"]["rules"]}
    assert descriptions["regularized-dense"] == "every Dense needs a kernel regularizer"


def test_validate_warns_about_code_and_strict_makes_it_an_error(code_models):
    lenient = invoke("validate", "--format", "json", code_models["keras"])
    report = json.loads(lenient.stdout)["files"][0]
    rules = {w.get("rule") for w in report["warnings"]}
    assert {"lambda", "foreign-module", "external-graph", "foreign-function"} <= rules
    assert not any(e.get("rule") for e in report["errors"])  # scan's places never become errors
    strict = json.loads(invoke("validate", "--strict", "--format", "json", code_models["keras"]).stdout)
    assert "lambda" in {e.get("rule") for e in strict["files"][0]["errors"]}


def test_validate_policy_json_and_exit_codes(saved_models, tmp_path):
    policy = tmp_path / "team.yaml"
    policy.write_text(POLICY)
    result = invoke("validate", "--format", "json", "--policy", policy, saved_models["nested"]["keras"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["files"][0]["errors"]
    assert {e["layer"] for e in errors} == {"encoder/enc_dense", "inner_block/inner_dense", "score"}
    assert all(e["policy"] == "regularized-dense" for e in errors)
    warn_only = tmp_path / "warn.yaml"
    warn_only.write_text(POLICY.replace("    message:", "    severity: warning\n    message:"))
    assert invoke("validate", "--policy", warn_only, saved_models["nested"]["keras"]).exit_code == 0


def test_bad_policy_file_is_one_line(saved_models, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies:\n  - id: x\n    match: {class_name: Dense}\n    forbidd: true\n")
    result = invoke("validate", "--policy", bad, saved_models["nested"]["keras"])
    assert_one_line_error(result, f"{bad}:4:", "unknown policy key 'forbidd'; did you mean 'forbid'?")


def test_schema_policy_prints_the_policy_schema():
    result = invoke("schema", "policy")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "modelcfg policy file"


def test_unreadable_among_good_exit_2(saved_models, tmp_path):
    bad = tmp_path / "empty.keras"
    bad.write_bytes(b"")
    result = invoke("--color", "never", "scan", saved_models["nested"]["keras"], bad)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"modelcfg: error: {bad}: the file is empty"
    assert "2 files scanned: 1 passed, 0 failed, 1 unreadable" in result.stdout


def test_stdin_archive_members_are_checked(code_models, tmp_path):
    evil = tmp_path / "evil.keras"
    evil.write_bytes(Path(code_models["keras"]).read_bytes())
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr("extra.bin", b"\x80\x05K\x01.")
    result = invoke("scan", "--format", "json", "-", input=evil.read_bytes())
    errors = json.loads(result.stdout)["files"][0]["errors"]
    assert any(e.get("member") == "extra.bin" and e["rule"] == "pickle" for e in errors)


def test_many_files_with_workers_keep_order(saved_models, code_models):
    paths = [
        saved_models[name][fmt] for name in ("nested", "branches", "rnn") for fmt in ("keras", "h5", "json")
    ]
    paths.append(code_models["keras"])
    result = invoke("scan", "--format", "json", "--jobs", "2", *paths)
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == paths
    assert [f["valid"] for f in files] == [True] * 9 + [False]


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_scan_does_not_import_keras(code_models, fmt):
    out = run_without_keras("scan", "--format", "json", code_models[fmt], exit_code=1)  # it found code
    assert '"rule": "lambda"' in out
