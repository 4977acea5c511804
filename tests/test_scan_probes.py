"""`scan` on files built as an attacker builds them: each probe gives its rule (error or warning), with
what its pickles import; the clean ones give nothing; the peers' own Keras fixtures get the verdicts their
tests expect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.scan.batch import ScanOptions, scan_source
from modelcfg_cli.scan.model import scan_model
from modelcfg_cli.sources import read_document
from tests.scan_probes import PROBES

PEERS = Path(__file__).parent / "peer_fixtures" / "data"


def findings_of(path: str) -> list:
    return scan_source(path, ScanOptions()).findings


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_every_probe_gives_its_rule_and_nothing_else(scan_probes, probe):
    rule, is_error = PROBES[probe]
    found = findings_of(scan_probes[probe])
    if rule is None:
        assert found == []
        return
    assert {f.rule for f in found} == {rule}
    assert {f.severity for f in found} == {ERROR if is_error else WARNING}


@pytest.mark.parametrize(
    ("probe", "dangerous"),
    [
        ("pickle_member.keras", ["posix.system"]),
        ("pickle_protocol0.keras", ["subprocess.check_output"]),
        ("npy_object.keras", ["posix.system"]),
        ("npz_in_assets.keras", ["posix.system"]),
        ("npz_weights.keras", ["posix.system"]),
        ("nested_zip.keras", ["posix.system"]),
    ],
)
def test_pickles_list_what_they_import(scan_probes, probe, dangerous):
    [finding] = findings_of(scan_probes[probe])
    assert list(finding.dangerous) == dangerous
    assert set(dangerous) <= set(finding.imports)
    assert f"{dangerous[0]} (dangerous)" in finding.message


def test_object_arrays_import_numpy_to_rebuild_them(scan_probes):
    [finding] = findings_of(scan_probes["npy_object.keras"])
    assert finding.member == "assets/table.npy" and "numpy.ndarray" in finding.imports


def test_torch_module_wrapper_pickle_is_read(scan_probes):
    [finding] = findings_of(scan_probes["torch_wrapper.keras"])
    assert finding.class_name == "TorchModuleWrapper"
    assert "archive/data.pkl (imports posix.system (dangerous))" in finding.message


def test_python_source_anywhere_is_an_error(scan_probes):
    [asset] = findings_of(scan_probes["python_asset.keras"])
    [init] = findings_of(scan_probes["init_at_root.keras"])
    assert (asset.member, init.member) == ("assets/hook.py", "__init__.py")


def test_custom_metric_and_initializer_without_module(scan_probes):
    [keras_metric] = findings_of(scan_probes["metric.keras"])
    [h5_metric] = findings_of(scan_probes["metric.h5"])
    [initializer] = findings_of(scan_probes["initializer.keras"])
    assert keras_metric.pointer == "/compile_config/metrics/0" and "MaliciousMetric" in keras_metric.message
    assert h5_metric.pointer == "/training_config/metrics/0/0" and "MaliciousMetric" in h5_metric.message
    assert initializer.layer == "d1" and "initializer class EvilInit" in initializer.message


def test_risky_keras_functions_name_their_cve(scan_probes):
    [unsafe] = findings_of(scan_probes["unsafe_deserialization.keras"])
    [download] = findings_of(scan_probes["get_file.keras"])
    assert "CVE-2025-9906" in unsafe.message and "CVE-2025-8747" in download.message


def test_known_metric_classes_stay_clean(saved_models):
    """Keras's own metric and initializer objects (with and without a module) are not custom."""
    doc = read_document(saved_models["sequential"]["keras"])
    doc.envelope["compile_config"] = {
        "loss": {"class_name": "MeanSquaredError", "config": {}},
        "metrics": [[{"class_name": "AUC", "config": {}}], {"out": [{"class_name": "MeanMetricWrapper"}]}],
    }
    assert scan_model(doc) == []


EXPECTED = json.loads((PEERS / "expected.json").read_text())["files"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_peer_fixtures_get_the_verdicts_their_tests_expect(name):
    """modelscan expects no issue in its safe files and two Lambda issues in each unsafe one; modelaudit
    expects its safe_model.h5 clean and a finding in each attack file."""
    expected = EXPECTED[name]
    found = findings_of(str(PEERS / name))
    if expected["peer"] == "modelscan":
        assert [f.rule for f in found] == ["lambda"] * expected["lambda_issues"]
        assert all(f.severity == ERROR for f in found)
    elif expected["check"] is None:
        assert found == []
    elif expected["check"] == "Lambda":
        assert [(f.rule, f.severity) for f in found] == [("lambda", ERROR)]
        assert "Python code stored as text" in found[0].message
    else:
        [finding] = found
        assert (finding.rule, finding.severity) == ("custom-class", WARNING)
        what = {"Custom Layer Class Detection": "MaliciousLayer", "Custom Loss Detection": "malicious_loss"}
        assert what.get(expected["check"], "MaliciousMetric") in finding.message


def test_a_weights_file_that_is_a_protocol_0_pickle(tmp_path):
    from modelcfg_cli.scan.weights import scan_weights_file
    from tests.scan_probes import protocol0_subprocess

    weights = tmp_path / "model.weights.h5"
    weights.write_bytes(protocol0_subprocess())
    [finding] = scan_weights_file(str(weights))
    assert (finding.rule, finding.dangerous) == ("pickle", ("subprocess.check_output",))
    assert "pickle (protocol 0/1)" in finding.message
