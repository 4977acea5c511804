"""The reload check: is the saved model the model Keras built, with every edit the rules asked for?

The saved file, reloaded, must hold every value of the model Keras built (its serialized form, in Keras's
canonical spelling); `edits.py` checks that each edit took effect in that form. `build_config` and
`__keras_tensor__` shape echoes are recomputed, and a Lambda's bytecode is marshalled again on save, so
they are not compared.
"""

from __future__ import annotations

from modelcfg_cli.document import KERAS_TENSOR, strip_shared_ids

LAMBDA = "__lambda__"
OPS_MODULE = "keras.src.ops."
RECOMPUTED = frozenset({"build_config", "compile_config", "shared_object_id", "build_input_shape"})


def check_clone(keras, changes, built: dict, saved: dict) -> tuple[list[str], list[str]]:
    """(problems, notes): where the reloaded model departs from the built one, or an edit did not apply."""
    from modelcfg_cli.keras_side.edits import unapplied_edits

    wrong = mismatches(strip_shared_ids(built), strip_shared_ids(saved))
    problems, notes = unapplied_edits(keras, changes, built)
    return wrong + problems, notes


def mismatches(expected: object, actual: object, path: str = "", limit: int = 5) -> list[str]:
    """Up to `limit` lines `path: expected X, saved Y` where the saved config departs from `expected`."""
    found: list[str] = []
    _walk(expected, actual, path, found, limit)
    return found


def _walk(expected: object, actual: object, path: str, found: list[str], limit: int) -> None:
    if len(found) >= limit:
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            found.append(f"{path or '/'}: expected an object, saved {actual!r}")
            return
        if expected.get("class_name") == LAMBDA and actual.get("class_name") == LAMBDA:
            return  # the function's bytecode is marshalled again, not byte for byte the same
        if expected.get("class_name") == KERAS_TENSOR:
            _walk(_history(expected), _history(actual), f"{path}.keras_history", found, limit)
            return
        for key, value in expected.items():
            if key in RECOMPUTED:
                continue
            here = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{here}: missing from the saved config")
            else:
                _walk(value, actual[key], here, found, limit)
    elif isinstance(expected, list | tuple):
        actual = _without_ops(expected, actual)
        if not isinstance(actual, list | tuple) or len(actual) != len(expected):
            found.append(f"{path}: expected {expected!r}, saved {actual!r}")
            return
        for index, (item, other) in enumerate(zip(expected, actual, strict=True)):
            _walk(item, other, f"{path}[{index}]", found, limit)
    elif expected != actual and not _same_policy(expected, actual):
        found.append(f"{path}: expected {expected!r}, saved {actual!r}")


def _without_ops(expected: list | tuple, actual: object) -> object:
    """`actual` without the op layers Keras 3 adds to a graph (e.g. `NotEqual` for a mask_zero Embedding)."""
    if not isinstance(actual, list) or len(actual) <= len(expected):
        return actual
    return [item for item in actual if not str((item or {}).get("module", "")).startswith(OPS_MODULE)]


def _history(tensor: object) -> object:
    return ((tensor or {}).get("config") or {}).get("keras_history") if isinstance(tensor, dict) else None


def _same_policy(expected: object, actual: object) -> bool:
    """A dtype given as a string is saved as a DTypePolicy object of that name."""
    return (
        isinstance(expected, str)
        and isinstance(actual, dict)
        and (actual.get("config") or {}).get("name") == expected
    )
