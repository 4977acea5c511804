"""validate.py: checking sources, one by one or in worker processes, in order."""

from __future__ import annotations

from modelcfg_cli.checks.validate import ValidateOptions, check_source, check_sources
from modelcfg_cli.findings import summary


def test_an_unreadable_source_is_a_report_not_an_exception(tmp_path):
    report = check_source(str(tmp_path / "missing.keras"), ValidateOptions())
    assert report.read_error and "no such file" in report.read_error and not report.valid


def test_a_legacy_source_is_checked_as_stored_unless_upgraded(legacy_dir):
    source = str(legacy_dir["keras2_json"])
    as_stored = check_source(source, ValidateOptions())
    assert any("--upgrade" in finding.message for finding in as_stored.warnings)
    upgraded = check_source(source, ValidateOptions(upgrade=True))
    assert upgraded.valid and not any("--upgrade" in f.message for f in upgraded.warnings)


def test_many_sources_in_worker_processes_keep_their_order(saved_models, tmp_path):
    sources = [
        saved_models[name][fmt] for name in ("sequential", "nested") for fmt in ("keras", "json", "h5")
    ]
    sources += [str(tmp_path / "missing.json"), saved_models["rnn"]["yaml"]]
    calls = []
    reports = check_sources(sources, ValidateOptions(), jobs=2, done=lambda: calls.append(1))
    assert [r.path for r in reports] == sources and len(calls) == len(sources)
    counts = summary(reports)
    assert counts["files"] == 8 and counts["unreadable"] == 1 and counts["valid"] == 7
