"""modelcfg: inspect, validate, diff, rewrite and clone saved Keras model configs.

The rooms (ARCHITECTURE.md says what each may import): `cli.py` and `commands/` (click), `output/`
(renderers), `sources/` (one reader per format), `document.py`, `checks/` (validate), `scan/`,
`diffing/`, `weights/` (stored tensors without Keras), `pictures/`, `rules/`, `legacy/`, and
`keras_side/`, the only package that imports Keras.
"""

_LAZY = {
    "apply_rules": "modelcfg_cli.rules.api",
    "clone": "modelcfg_cli.keras_side.clone",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """`apply_rules` and `clone`, imported on first use so that `import modelcfg_cli` stays light."""
    if name not in _LAZY:
        raise AttributeError(f"module 'modelcfg_cli' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
