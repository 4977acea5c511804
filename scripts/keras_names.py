"""The Keras names `scan` treats as built-ins, read from the installed Keras (a developer tool: it
rewrites the generated list at the end of `modelcfg_cli/scan/names.py`; a test checks it is current)."""

from __future__ import annotations

import json
from pathlib import Path

import modelcfg_cli.scan.names as scan_names
from modelcfg_cli.scan.names import BUILTIN_MODULES, COMPILE_ALIASES, MARK


def generate() -> list[str]:
    """Every public name of Keras's built-in modules, their lookup tables, and compile's aliases."""
    import keras
    from keras.src import losses, metrics

    names = set(COMPILE_ALIASES) | set(losses.ALL_OBJECTS_DICT) | set(metrics.ALL_OBJECTS_DICT)
    for module in BUILTIN_MODULES:
        names |= {name for name in dir(getattr(keras, module)) if not name.startswith("_")}
    return sorted(names)


def write() -> None:
    """Rewrite the generated list at the end of `scan/names.py`."""
    path = Path(scan_names.__file__)
    head = path.read_text(encoding="utf-8").rpartition(MARK)[0]
    body = "".join(f"        {json.dumps(name)},\n" for name in generate())
    path.write_text(f"{head}{MARK}\nKERAS_FUNCTION_NAMES = frozenset(\n    {{\n{body}    }}\n)\n")


if __name__ == "__main__":
    write()
