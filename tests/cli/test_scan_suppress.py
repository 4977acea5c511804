"""`scan`'s sha256 in JSON, --ignore, --baseline / --write-baseline (CI fails only on new findings),
--explain, and -j choosing itself; their error paths are one line, exit 2."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from modelcfg_cli.scan.explain import EXPLANATIONS
from modelcfg_cli.scan.jobs import auto_jobs, estimated_seconds
from modelcfg_cli.scan.model import RULES
from tests.helpers import assert_one_line_error, invoke


def scan_json(*args) -> tuple[int, dict]:
    result = invoke("scan", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_json_has_each_files_sha256(scan_probes):
    path = scan_probes["pickle_member.keras"]
    code, report = scan_json(path, scan_probes["clean.h5"])
    assert code == 1
    digests = [entry["sha256"] for entry in report["files"]]
    assert digests == [
        hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in (path, scan_probes["clean.h5"])
    ]
    [error] = report["files"][0]["errors"]
    assert error["dangerous"] == ["posix.system"] and error["imports"] == ["posix.system"]
    assert report["summary"]["suppressed"] == 0


def test_ignore_by_rule_and_by_glob(scan_probes):
    paths = [scan_probes["pickle_member.keras"], scan_probes["lambda.keras"]]
    code, report = scan_json("--ignore", "pickle", *paths)
    assert code == 1 and report["summary"]["suppressed"] == 1
    assert [e["rule"] for f in report["files"] for e in f["errors"]] == ["lambda"]
    code, report = scan_json("--ignore", "lambda:*/lambda.keras", "--ignore", "pickle:assets/*.pkl", *paths)
    assert code == 0 and report["summary"]["suppressed"] == 2
    code, report = scan_json("--ignore", "pickle:assets/*.npy", *paths)
    assert code == 1 and report["summary"]["suppressed"] == 0


def test_baseline_fails_only_on_new_findings(scan_probes, tmp_path):
    model = tmp_path / "model.keras"
    shutil.copy(scan_probes["pickle_member.keras"], model)
    baseline = tmp_path / "baseline.json"
    text = invoke("--color", "never", "scan", "--write-baseline", baseline, model)
    assert text.exit_code == 0
    assert text.stdout.splitlines()[-1].endswith("(0 errors, 0 warnings; 1 suppressed)")
    [entry] = json.loads(baseline.read_text())["findings"]
    assert (entry["rule"], entry["location"], entry["path"]) == ("pickle", "assets/state.pkl", str(model))
    assert entry["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert invoke("scan", "--baseline", baseline, model).exit_code == 0
    moved = tmp_path / "moved.keras"
    shutil.copy(model, moved)  # same bytes elsewhere: known by its sha256
    assert invoke("scan", "--baseline", baseline, moved).exit_code == 0
    shutil.copy(scan_probes["nested_zip.keras"], model)  # a new finding in the same file
    code, report = scan_json("--baseline", baseline, model)
    assert code == 1 and [e["member"] for e in report["files"][0]["errors"]] == ["assets/payload.zip"]


def test_suppression_errors_are_one_line(scan_probes, tmp_path):
    model = scan_probes["clean.keras"]
    assert_one_line_error(invoke("scan", "--ignore", "pickles", model), "no scan rule 'pickles'")
    assert_one_line_error(
        invoke("scan", "--baseline", tmp_path / "none.json", model), "cannot read the baseline"
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": []}')
    assert_one_line_error(invoke("scan", "--baseline", bad, model), "not a modelcfg baseline")
    bad.write_text("{")
    assert_one_line_error(invoke("scan", "--baseline", bad, model), "not JSON")
    target = tmp_path / "missing-folder" / "b.json"
    assert_one_line_error(invoke("scan", "--write-baseline", target, model), "cannot write the baseline")
    assert not target.exists()
    assert_one_line_error(invoke("scan"), "at least one SOURCE")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_an_explanation(rule):
    result = invoke("scan", "--explain", rule)
    assert result.exit_code == 0 and result.stdout.startswith(f"{rule}: ")
    assert "Keras versions:" in result.stdout
    for advisory in EXPLANATIONS[rule].advisories:
        assert advisory.cve in result.stdout and advisory.url in result.stdout


def test_explain_names_the_cves_and_refuses_unknown_rules():
    lam = invoke("scan", "--explain", "lambda").stdout
    assert "CVE-2024-3660 (Keras < 2.13)" in lam and "CVE-2025-9905 (Keras >= 3.0.0, < 3.11.3)" in lam
    assert "CVE-2025-1550 (Keras >= 3.0.0, < 3.9.0)" in invoke("scan", "--explain", "foreign-module").stdout
    assert "CVE-2025-49655" in invoke("scan", "--explain", "external-graph").stdout
    assert_one_line_error(invoke("scan", "--explain", "nope"), "no scan rule by that name")


def test_jobs_choose_a_pool_only_for_big_work(tmp_path):
    small = tmp_path / "small.json"
    small.write_text("{}")
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(400 * 1024 * 1024)  # sparse: a size without the bytes
    assert auto_jobs([str(small)] * 75, 2) == 1
    assert estimated_seconds([str(small)] * 75) < 0.5
    assert auto_jobs([str(big)], 2) == 2
    assert auto_jobs([str(big)], 1) == 1 and auto_jobs([str(big), "-"], 2) == 1
    assert auto_jobs([str(small)] * 400, 2) == 2
