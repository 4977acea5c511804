"""output/progress.py: a bar on stderr for validate and scan, on a terminal only."""

from __future__ import annotations

import io
import sys

import pytest

from modelcfg_cli.checks.validate import ValidateOptions, check_sources
from modelcfg_cli.output.progress import progress
from modelcfg_cli.scan.batch import ScanOptions, scan_sources

CHECKS = {
    "validating": lambda sources, done: check_sources(sources, ValidateOptions(), done=done),
    "scanning": lambda sources, done: scan_sources(sources, ScanOptions(), done=done),
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("label", sorted(CHECKS))
def test_progress_bar_only_on_a_terminal(saved_models, monkeypatch, label):
    sources = [saved_models[name]["keras"] for name in ("sequential", "nested", "rnn")]
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress(label, len(sources), "always") as done:
        reports = CHECKS[label](sources, done)
    assert [r.path for r in reports] == sources and all(r.valid for r in reports)
    assert label in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress(label, len(sources), "auto") as done:
        CHECKS[label](sources, done)
    assert piped.getvalue() == ""
