"""The README's exit-code table names every exit code the tool uses (errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

from modelcfg_cli import errors

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_exit_code_is_in_the_readme_table():
    section = README.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}
    used = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert used == documented == {0, 1, 2, 130}
