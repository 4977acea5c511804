"""The Keras side of `clone`: instantiate a config, save it atomically, reload what was saved.

Every function takes the imported `keras` module; nothing here imports Keras at module level.
"""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path

from modelcfg_cli.document import CONFIG_FILE
from modelcfg_cli.errors import CloneError
from modelcfg_cli.files import temp_beside
from modelcfg_cli.keras_side.quiet import quiet

SUFFIXES = {"keras": ".keras", "h5": ".h5", "json": ".json"}
MISSING_CLASS = re.compile(
    r"(?:Could not locate (?:class|function)|Unknown layer:) '([^']+)'"
    r"|Could not interpret \w+ identifier: .*?'class_name': '([^']+)'"
)


def instantiate(keras, envelope: dict, safe_mode: bool, label: str):
    """A new model from a deep copy of the serialized model (`from_config` mutates its input)."""
    try:
        with quiet():
            model = _from_config(keras, copy.deepcopy(envelope), safe_mode)
    except Exception as exc:
        raise keras_error(label, exc) from exc
    if not model.built:
        raise CloneError(label, "Keras could not build the model (no input shape: add an InputLayer)")
    return model


OP_MODULES = ("numpy", "math", "nn", "core", "linalg", "image")


def built_config(model, label: str) -> dict:
    """The serialized form of the model Keras built (Keras's canonical spelling of every value)."""
    try:
        return json.loads(model.to_json())
    except Exception as exc:
        raise keras_error(label, exc) from exc


def _from_config(keras, envelope: dict, safe_mode: bool):
    """Keras 3 objects carry a `module`; configs from legacy .h5 files (no module) take the legacy path."""
    if "module" in envelope:
        return keras.saving.deserialize_keras_object(envelope, safe_mode=safe_mode)
    from keras.src.legacy.saving import saving_utils

    return saving_utils.model_from_config(envelope)


def keras_error(label: str, exc: Exception) -> CloneError:
    """One line for a Keras failure; an unknown class names the class and the fix."""
    text = str(exc)
    missing = next(filter(None, (MISSING_CLASS.search(str(cause)) for cause in _chain(exc))), None)
    if missing and _is_keras_op(missing.group(1) or missing.group(2)):
        return CloneError(
            label,
            f"Keras cannot rebuild the op layer {missing.group(1) or missing.group(2)!r}: the legacy .h5 "
            "format cannot store a keras.ops operation used as a layer (Keras 3 writes one for "
            "Embedding(mask_zero=True)); save the original model as .keras instead",
        )
    if missing:
        name = missing.group(1) or missing.group(2)
        return CloneError(
            label,
            f"Keras does not know the class {name!r}: pass --import MODULE for the package that "
            "registers it (e.g. --import keras_hub), or fix its module/registered_name",
        )
    if "Lambda" in text and "safe_mode" in text:
        return CloneError(
            label, "the model holds a Lambda layer (Python bytecode); rerun with --unsafe if you trust it"
        )
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return CloneError(label, f"Keras could not instantiate the model: {type(exc).__name__}: {first}")


def _is_keras_op(name: str) -> bool:
    """True for a class of `keras.ops` (`NotEqual`, `Cast`, ...): an operation, not a layer."""
    from keras.src import ops
    from keras.src.ops.operation import Operation

    found = (getattr(getattr(ops, module, None), name, None) for module in OP_MODULES)
    return any(isinstance(item, type) and issubclass(item, Operation) for item in found)


def _chain(exc: BaseException | None):
    """The exception and those it was raised from or during (Keras wraps the real cause)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def save_temp(keras, model, out: str, save_format: str) -> Path:
    """Save `model` to a temp file next to `out` (same folder, so the final rename is atomic)."""
    temp = temp_beside(out, SUFFIXES[save_format])
    try:
        with quiet():
            if save_format == "json":
                temp.write_text(model.to_json(indent=2) + "\n", encoding="utf-8")
            else:
                temp.unlink()
                model.save(temp)
    except Exception as exc:
        temp.unlink(missing_ok=True)
        raise CloneError(out, f"Keras could not save the model: {type(exc).__name__}: {exc}") from exc
    return temp


def reload_config(keras, temp: Path, save_format: str, safe_mode: bool, label: str) -> dict:
    """The serialized model Keras rebuilds from the saved file. A `.keras` file's `config.json` is built
    again without reading the weights back (Keras wrote them from the model it built)."""
    if save_format == "json":
        return json.loads(temp.read_text(encoding="utf-8"))
    try:
        with quiet():
            if save_format == "keras":
                with zipfile.ZipFile(temp) as archive:
                    saved = json.loads(archive.read(CONFIG_FILE))
                model = _from_config(keras, saved, safe_mode)
            else:
                model = keras.saving.load_model(temp, compile=False, safe_mode=safe_mode)
    except Exception as exc:
        raise keras_error(label, exc) from exc
    return json.loads(model.to_json())
