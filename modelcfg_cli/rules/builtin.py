"""Built-in rule sets for `--rules builtin:NAME`.

`BUILTINS` maps NAME to either a callable `(envelope, metadata) -> (envelope, notes)` (a rewrite in
Python, e.g. an upgrade of legacy configs) or the path of a rules file (YAML or JSON). The bundled one is
`keras2`; a program using modelcfg as a library may add its own with `register(name, target)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from modelcfg_cli.rules.builtin_keras2 import keras2

BUILTINS: dict[str, Callable | Path] = {"keras2": keras2}


def register(name: str, target: Callable | Path | str) -> None:
    """Make `--rules builtin:NAME` run `target` (a callable or a rules file)."""
    BUILTINS[name] = Path(target) if isinstance(target, str) else target
