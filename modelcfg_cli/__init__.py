"""modelcfg: inspect, validate, diff, rewrite and clone saved Keras model configs."""

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
