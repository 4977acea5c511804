"""A compile config that any backend can restore.

A model compiled under the torch backend names its optimizer by the backend's own class
(`keras.src.backend.torch.optimizers.torch_adam.Adam`), which other backends cannot import, so
`from_config` fails where `load_model(compile=False)` succeeds. Such objects are mapped to the public
class of the same name (`keras.optimizers.Adam`); when there is none, the compile config is left out
and a note says so.
"""

from __future__ import annotations

import copy

BACKEND_MODULE = "keras.src.backend."


def portable_compile_config(keras, envelope: dict) -> tuple[dict, list[str]]:
    """(`envelope` with backend-specific classes in its compile config made generic, notes)."""
    compile_config = envelope.get("compile_config")
    if not isinstance(compile_config, dict) or not _mentions_backend(compile_config):
        return envelope, []
    envelope = copy.deepcopy(envelope)
    notes: list[str] = []
    unknown = _generalise(keras, envelope["compile_config"], notes)
    if unknown:
        envelope["compile_config"] = None
        return envelope, [
            f"note: compile config left out: {unknown} is specific to a Keras backend and has no "
            "public equivalent; the clone is saved uncompiled"
        ]
    return envelope, notes


def _mentions_backend(value: object) -> bool:
    if isinstance(value, dict):
        module = value.get("module")
        if isinstance(module, str) and module.startswith(BACKEND_MODULE):
            return True
        return any(_mentions_backend(item) for item in value.values())
    if isinstance(value, list):
        return any(_mentions_backend(item) for item in value)
    return False


def _generalise(keras, value: object, notes: list[str]) -> str | None:
    """Rewrite backend classes in place; the first one without a public class, or None."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    if isinstance(value, dict) and str(value.get("module", "")).startswith(BACKEND_MODULE):
        name = str(value.get("class_name"))
        if not hasattr(keras.optimizers, name):
            return f"{value['module']}.{name}"
        notes.append(f"note: optimizer {value['module']}.{name} restored as keras.optimizers.{name}")
        value.update(module="keras.optimizers", registered_name=None)
    for item in list(items):
        unknown = _generalise(keras, item, notes)
        if unknown:
            return unknown
    return None
