"""keras-hub's registered classes (`keras_hub>GPT2Backbone`), checked against the constructor schemas
generated from keras-hub (`schemas/keras_hub.schema.json`, see `scripts/hubschemas.py`).

A missing required argument is an error (`from_config` fails without it); an unknown key is a warning
with the closest known name (keras-hub's models pass unknown keys on to `keras.Model`, which drops them,
and some classes pop keys of their own from `**kwargs`). A keras-hub preset's part configs (tokenizer,
preprocessor, task) are checked the same way, each finding named by its file.
"""

from __future__ import annotations

import difflib

from modelcfg_cli.findings import ERROR, WARNING, Finding
from modelcfg_cli.schema_store import schema_for_class


def registered_findings(entry: dict, pointer: str = "", *, strict: bool = False, file: str | None = None):
    """Findings for a serialized keras-hub object `entry` (at `pointer`), or None when its class has
    no generated schema. `file` names the preset file it came from."""
    schema = schema_for_class(entry.get("registered_name"))
    config = entry.get("config")
    if schema is None or not isinstance(config, dict):
        return None
    known = list(schema["properties"])
    found = []
    for name in schema["required"]:
        if name not in config:
            message = f"missing required argument {name!r} ({schema['title']} needs it)"
            found.append(_finding(ERROR, f"{pointer}/config", message, file))
    for key in config:
        if key not in schema["properties"]:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"{key!r} is not an argument of {schema['title']}'s constructor{hint}"
            found.append(_finding(ERROR if strict else WARNING, f"{pointer}/config/{key}", message, file))
    return found


def _finding(severity: str, pointer: str, message: str, file: str | None) -> Finding:
    if file is None:
        return Finding(severity, pointer, message)
    return Finding(severity, pointer, f"{file}: {message}", member=file)


def preset_part_findings(path: str | None, strict: bool = False) -> list[Finding]:
    """The part configs of a keras-hub preset folder, each against its class's schema."""
    from modelcfg_cli.sources.presets import is_preset, preset_parts

    if path is None or not is_preset(path):
        return []
    found: list[Finding] = []
    for part in preset_parts(path):
        if part.envelope is not None:
            found.extend(registered_findings(part.envelope, strict=strict, file=part.file) or [])
    return found
