"""What Keras's legacy `.h5` writer leaves out of a compile config: `module` and `registered_name` of
every serialized object (optimizer, losses, metrics, schedules). Comparing a `.h5` with a `.keras` file
compares both without them, as layers are compared without them."""

from __future__ import annotations

DROPPED_KEYS = ("module", "registered_name")


def without_h5_dropped(value: object) -> object:
    """A copy of `value` in which no serialized object (a dict with `class_name`) has those keys."""
    if isinstance(value, dict):
        serialized = "class_name" in value
        return {
            key: without_h5_dropped(item)
            for key, item in value.items()
            if not (serialized and key in DROPPED_KEYS)
        }
    if isinstance(value, list):
        return [without_h5_dropped(item) for item in value]
    return value
