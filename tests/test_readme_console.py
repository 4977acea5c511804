"""The README's ```console blocks run as written: each `$ ` line is run by bash in a temporary folder
that holds the bundled examples (`examples/`) and the test data (`tests/data` and every
`tests/*_fixtures/data`), and what it prints (stdout and stderr, in order) is compared with the lines shown
under it, timings, versions and dates masked. A block preceded by
`<!-- console: skip REASON -->` is not run. New blocks are picked up automatically."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```console[^\n]*\n(.*?)^```", re.M | re.S)
SKIP = re.compile(r"<!--\s*console:\s*skip\b(.*?)-->\s*$", re.S)
MARK = "@@modelcfg-readme-command@@"
MASKS = [
    (re.compile(r"\b\d+\.\d+ s\b"), "<seconds> s"),
    (re.compile(r"\bkeras \d+\.\d+\.\d+\S*"), "keras <version>"),
    (re.compile(r"\bmodelcfg \d+\.\d+\.\d+\S*"), "modelcfg <version>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}"), "<date>"),
]


def console_blocks() -> list:
    """(line number, [(command, expected lines)]) for each block that has commands and is not skipped."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        skipped = SKIP.search(text[: match.start()].rstrip()[-300:])
        if skipped and text[: match.start()].rstrip().endswith("-->"):
            continue
        steps = commands(match.group(1))
        if steps:
            blocks.append(pytest.param(steps, id=f"README.md:{line}"))
    return blocks


def commands(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [(command, _trimmed(lines)) for command, lines in steps]


def masked(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, replacement in MASKS:
            line = pattern.sub(replacement, line)
        out.append(line.rstrip())
    return _trimmed(out)


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


@pytest.fixture
def workdir(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "tests" / "data", tmp_path / "tests" / "data")
    for data in sorted((ROOT / "tests").glob("*_fixtures/data")):
        shutil.copytree(data, tmp_path / data.relative_to(ROOT))
    (tmp_path / "tmp").mkdir()
    return tmp_path


def run_block(steps, workdir: Path) -> list[list[str]]:
    """Run the commands in one bash session; the output lines of each, with /tmp/ mapped back."""
    scratch = f"{workdir}/tmp/"
    script = ["set +e"]
    for command, _ in steps:
        script += [f"printf '%s\\n' '{MARK}'", "{ " + command.replace("/tmp/", scratch), "} 2>&1"]
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "PYTHONUNBUFFERED": "1"}
    env.update(NO_COLOR="1", COLUMNS="200")
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=workdir, env=env, capture_output=True, text=True
    )
    outputs = done.stdout.replace(scratch, "/tmp/").split(MARK + "\n")[1:]
    return [output.splitlines() for output in outputs]


def test_the_readme_has_console_blocks_to_run():
    assert len(console_blocks()) >= 5


@pytest.mark.parametrize("steps", console_blocks())
def test_console_block_runs_as_shown(steps, workdir):
    outputs = run_block(steps, workdir)
    assert len(outputs) == len(steps)
    for (command, expected), actual in zip(steps, outputs, strict=True):
        assert masked(actual) == masked(expected), f"$ {command}"
