"""JSON and YAML text: strict parsing, size and Unicode checks, and the refusal of hostile input."""

from __future__ import annotations

import json
import math
import re
from functools import cache

from modelcfg_cli.document import type_name
from modelcfg_cli.errors import SourceError

MAX_NODES = 5_000_000
SURROGATE_ESCAPE = re.compile(r"\\(u|U0000)[dD][89a-fA-F]")


def too_big(size: int, cap: int) -> str:
    """The message for a config over the byte cap."""
    return f"config is {size} bytes, over the {cap}-byte cap (raise it with --max-config-bytes)"


def decode(label: str, data: bytes) -> str:
    """UTF-8 text (a BOM is allowed); binary content and bad bytes are refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if any(byte < 9 or 13 < byte < 32 for byte in data[:1024]):
            raise SourceError(label, "not a Keras model: unrecognised binary content") from exc
        raise SourceError(
            label, f"not valid UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc


def parse_text(label: str, text: str) -> tuple[object, str]:
    """Parse JSON (when the text starts like JSON) or YAML; return the value and the format name."""
    stripped = text.lstrip()
    if not stripped:
        raise SourceError(label, "the file holds only whitespace")
    if stripped[0] in '{["':
        return parse_json(label, text), "json"
    return parse_yaml(label, text), "yaml"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid JSON number")


def parse_json(label: str, text: str) -> object:
    """Parse JSON strictly (no NaN/Infinity); a JSON string holding JSON is decoded once more."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            value = json.loads(value, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SourceError(label, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise SourceError(label, f"invalid JSON: {exc}") from exc
    except RecursionError as exc:
        raise SourceError(label, "invalid JSON: nested too deeply") from exc
    check_unicode(label, text, value, "JSON")
    return value


def json_object(label: str, text: str, what: str) -> dict:
    """Parse JSON that must be an object (a config, a metadata file)."""
    value = parse_json(label, text)
    if not isinstance(value, dict):
        raise SourceError(label, f"{what} must be a JSON object, got {type_name(value)}")
    return value


@cache
def bounded_loader() -> type:
    """A yaml SafeLoader that refuses non-finite floats (built on first use: yaml loads in 10 ms)."""
    import yaml

    def construct_float(loader, node):
        value = yaml.SafeLoader.construct_yaml_float(loader, node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a finite number", node.start_mark
            )
        return value

    class BoundedLoader(yaml.SafeLoader):
        """A SafeLoader of its own: adding a constructor leaves `yaml.SafeLoader` as it is."""

    loader = BoundedLoader
    loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    return loader


def parse_yaml(label: str, text: str) -> object:
    """Parse YAML with the safe loader; alias bombs and non-finite numbers are refused."""
    import yaml

    try:
        value = yaml.load(text, Loader=bounded_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SourceError(label, f"invalid YAML{where}: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(label, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise SourceError(label, "invalid YAML: nested too deeply") from exc
    if isinstance(value, str | int | float) or value is None:
        raise SourceError(label, "not a Keras model config (the text is neither JSON nor a YAML mapping)")
    check_size(label, value)
    check_unicode(label, text, value, "YAML")
    return value


def check_unicode(label: str, text: str, value: object, kind: str) -> None:
    """Refuse a lone surrogate (`\\ud800`): an escape the parsers accept but that is not Unicode text."""
    if not SURROGATE_ESCAPE.search(text):
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SourceError(
            label, f"invalid {kind}: {exc.object[exc.start]!r} is a lone surrogate, not text"
        ) from None
    except (TypeError, ValueError, RecursionError):  # YAML values JSON cannot encode: no text to check
        pass


def check_size(label: str, value: object, limit: int = MAX_NODES) -> None:
    """Refuse a structure with more than `limit` nodes, counting shared YAML aliases each time
    (JSON has no aliases: its size is bounded by the byte cap)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            raise SourceError(label, f"config has more than {limit} values (an alias bomb?)")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
