"""modelcfg: inspect, validate, diff, rewrite and clone saved Keras model configs.

The rooms, and what each may import:
- `cli.py`, `commands/` (one module per command): click; parse options, call the core, pick a renderer.
- `output/`: renderers only (rich), chosen from a `RENDERERS` registry per report; `files.py`: atomic writes.
- `errors.py`: the exit codes and the one-line errors; imports nothing of ours.
- `document.py`: `ModelDocument`, layer walks, the format constants; `sources/`: one reader per format.
- `schemas.py`, `graph.py`, `findings.py`, `validate.py`, `diff.py`, `summary.py`, `emit_rules.py`,
  `weights.py`: the core, plain data in and out; never click, rich or Keras.
- `rules/`: the rules language (`registry.py` declares every action); `legacy/`: Keras 1/2 -> Keras 3.
- `keras_side/`: the only package that imports Keras (build, weights, save, verify).
"""

_LAZY = {
    "apply_rules": "modelcfg_cli.rules.api",
    "clone": "modelcfg_cli.keras_side.pipeline",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """`apply_rules` and `clone`, imported on first use so that `import modelcfg_cli` stays light."""
    if name not in _LAZY:
        raise AttributeError(f"module 'modelcfg_cli' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
