"""What the upgrade drops: a removed argument set to anything but its default is a warning, so that a
value that changed what the layer computes never disappears without a word (a failure with --strict)."""

from __future__ import annotations

from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.legacy.names import BASE_DEFAULTS, REMOVED_KWARGS, SPEED_ONLY

WARNING_PREFIX = "warning: "
EMPTY: tuple[object, ...] = (None, False, 0, [], {})


def dropped_note(where: str, class_name: str, key: str, value: object) -> str | None:
    """None when dropping `key=value` loses nothing; else the warning that names it and its default."""
    if key in SPEED_ONLY:
        return None
    if key in REMOVED_KWARGS or key in BASE_DEFAULTS:
        default = REMOVED_KWARGS.get(key, BASE_DEFAULTS.get(key))
        if _same(value, default):
            return None
        reason = f"Keras 3 computes as with {key}={default!r}"
    elif any(_same(value, empty) for empty in EMPTY):
        return None
    else:
        reason = "its value is lost"
    lost = f"dropped {key}={value!r} ({class_name} in Keras 3 has no such argument; {reason})"
    return f"{WARNING_PREFIX}{where}: {lost}"


def upgrade_warnings(notes) -> list[str]:
    """The warnings among an upgrade's notes, without their prefix."""
    return [note[len(WARNING_PREFIX) :] for note in notes if is_warning(note)]


def dropped_findings(notes, strict: bool = False) -> list[Finding]:
    """One finding per dropped non-default value: a warning, an error with `strict` (validate --upgrade)."""
    return [Finding(ERROR if strict else WARNING, "", warning) for warning in upgrade_warnings(notes)]


def is_warning(note: str) -> bool:
    """True for a note that reports a value the upgrade dropped."""
    return note.startswith(WARNING_PREFIX)


def _same(value: object, default: object) -> bool:
    """Equal and of the same kind (`1 == True` in Python, not here); tuples and lists alike."""
    if isinstance(value, tuple):
        value = list(value)
    return type(value) is type(default) and value == default
