"""The reload check: does the saved model's config hold everything the rewritten config says?

Keras fills in what a rewrite leaves out (a dropped `build_config`, a Bidirectional's backward layer, the
defaults of an inserted layer) and `__keras_tensor__` shape echoes are recomputed, so the check is that
every value of the rewritten config is in the saved one, not that the two are equal. A Lambda's bytecode
is marshalled again on save, so it is not compared.
"""

from __future__ import annotations

from modelcfg_cli.document import KERAS_TENSOR

LAMBDA = "__lambda__"
OPS_MODULE = "keras.src.ops."
RECOMPUTED = frozenset({"build_config", "compile_config", "shared_object_id", "build_input_shape"})


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
