"""Read a model source (zip, folder, HDF5, JSON, YAML, stdin) into plain data, never importing Keras.

The format is told by content, not by file extension. Weights are never read here.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from modelcfg_cli.errors import SourceError

DEFAULT_MAX_CONFIG_BYTES = 256 * 1024 * 1024
MAX_NODES = 5_000_000
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
HDF5_USERBLOCK_OFFSETS = (0, 512, 1024, 2048, 4096)
SURROGATE_ESCAPE = re.compile(r"\\(u|U0000)[dD][89a-fA-F]")


@dataclass(frozen=True)
class RawModel:
    """What a source holds: the parsed config object and what is known about who saved it."""

    label: str
    format: str
    payload: object
    metadata: dict = field(default_factory=dict)
    path: str | None = None


def read_source(source: str, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES) -> RawModel:
    """Read `source` (a path, or `-` for stdin) and return its parsed config and metadata."""
    if source == "-":
        return _read_bytes("<stdin>", sys.stdin.buffer.read(), max_config_bytes, None)
    path = Path(source)
    if not path.exists():
        raise SourceError(source, "no such file or directory")
    if path.is_dir():
        return _read_folder(source, path, max_config_bytes)
    try:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(source, "the file is empty")
        with path.open("rb") as handle:
            head = handle.read(8)
            if head[:4] in ZIP_MAGICS:
                return _read_zip(source, path, max_config_bytes)
            if _is_hdf5(handle):
                return _read_hdf5(source, str(path))
            if size > max_config_bytes:
                raise SourceError(source, _too_big(size, max_config_bytes))
            handle.seek(0)
            data = handle.read()
    except OSError as exc:
        raise SourceError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    return _read_bytes(source, data, max_config_bytes, str(path))


def _read_bytes(label: str, data: bytes, max_config_bytes: int, path: str | None) -> RawModel:
    if not data:
        raise SourceError(label, "the input is empty")
    if data[:4] in ZIP_MAGICS:
        return _read_zip(label, io.BytesIO(data), max_config_bytes)
    if _is_hdf5(io.BytesIO(data)):
        return _read_hdf5(label, io.BytesIO(data))
    if len(data) > max_config_bytes:
        raise SourceError(label, _too_big(len(data), max_config_bytes))
    text = _decode(label, data)
    payload, fmt = _parse_text(label, text)
    metadata = {}
    if isinstance(payload, dict):
        metadata = {k: payload[k] for k in ("keras_version", "backend") if k in payload}
    return RawModel(label, fmt, payload, metadata, path)


def _is_hdf5(handle) -> bool:
    for offset in HDF5_USERBLOCK_OFFSETS:
        handle.seek(offset)
        if handle.read(8) == HDF5_MAGIC:
            return True
    return False


def _too_big(size: int, cap: int) -> str:
    return f"config is {size} bytes, over the {cap}-byte cap (raise it with --max-config-bytes)"


def _decode(label: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if any(byte < 9 or 13 < byte < 32 for byte in data[:1024]):
            raise SourceError(label, "not a Keras model: unrecognised binary content") from exc
        raise SourceError(
            label, f"not valid UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc


def _parse_text(label: str, text: str) -> tuple[object, str]:
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

    loader = type("BoundedLoader", (yaml.SafeLoader,), {})
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


def _read_zip(label: str, file, max_config_bytes: int) -> RawModel:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceError(label, f"not a readable zip archive ({exc})") from exc
    with archive:
        names = set(archive.namelist())
        if "config.json" not in names:
            hint = " (a weights file?)" if any(n.endswith(".h5") for n in names) else ""
            raise SourceError(label, f"zip archive has no config.json{hint}: not a .keras model")
        config_text = _read_member(label, archive, "config.json", max_config_bytes)
        metadata = {}
        if "metadata.json" in names:
            meta_text = _read_member(label, archive, "metadata.json", max_config_bytes)
            metadata = _json_object(f"{label}:metadata.json", meta_text, "metadata")
    payload = _json_object(f"{label}:config.json", config_text, "config")
    return RawModel(label, "keras-zip", payload, metadata, _path_of(file, label))


def _read_member(label: str, archive: zipfile.ZipFile, name: str, cap: int) -> str:
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise SourceError(f"{label}:{name}", _too_big(info.file_size, cap))
    try:
        with archive.open(info) as member:
            data = member.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise SourceError(label, f"cannot read {name} from the zip archive ({exc})") from exc
    except Exception as exc:  # zlib.error and friends on a truncated archive
        raise SourceError(label, f"cannot read {name} from the zip archive ({exc})") from exc
    if len(data) > cap:
        raise SourceError(f"{label}:{name}", _too_big(len(data), cap))
    return _decode(f"{label}:{name}", data)


def _json_object(label: str, text: str, what: str) -> dict:
    value = parse_json(label, text)
    if not isinstance(value, dict):
        raise SourceError(label, f"{what} must be a JSON object, got {type_name(value)}")
    return value


def _read_folder(label: str, path: Path, max_config_bytes: int) -> RawModel:
    config_path = path / "config.json"
    if not config_path.is_file():
        raise SourceError(label, "directory has no config.json: not a model saved with zipped=False")
    metadata = {}
    meta_path = path / "metadata.json"
    if meta_path.is_file():
        metadata = _json_object(str(meta_path), _read_text(meta_path, max_config_bytes), "metadata")
    payload = _json_object(str(config_path), _read_text(config_path, max_config_bytes), "config")
    return RawModel(label, "keras-dir", payload, metadata, str(path))


def _read_text(path: Path, cap: int) -> str:
    size = path.stat().st_size
    if size > cap:
        raise SourceError(str(path), _too_big(size, cap))
    return _decode(str(path), path.read_bytes())


def _read_hdf5(label: str, file) -> RawModel:
    import h5py  # h5py is light; only HDF5 sources need it

    try:
        handle = h5py.File(file, "r")
    except (OSError, ValueError) as exc:
        raise SourceError(label, f"not a readable HDF5 file ({exc})") from exc
    with handle:
        attrs = handle.attrs
        if "model_config" not in attrs:
            if "layer_names" in attrs or "model_weights" in handle or "vars" in handle:
                raise SourceError(
                    label, "HDF5 file holds weights only (no model_config attribute): not a full model"
                )
            raise SourceError(label, "HDF5 file has no model_config attribute: not a Keras model")
        config_text = _attr_text(label, attrs["model_config"])
        metadata = {
            key: _attr_text(label, attrs[key]) for key in ("keras_version", "backend") if key in attrs
        }
        if "training_config" in attrs:
            metadata["training_config"] = _attr_text(label, attrs["training_config"])
    payload = parse_json(f"{label}:model_config", config_text)
    if not isinstance(payload, dict):
        raise SourceError(label, f"model_config must be a JSON object, got {type_name(payload)}")
    return RawModel(label, "h5", payload, metadata, _path_of(file, label))


def _attr_text(label: str, value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(label, "an HDF5 attribute is not UTF-8 text") from exc
    if isinstance(value, str):
        return value
    raise SourceError(label, f"an HDF5 attribute holds {type(value).__name__}, expected text")


def _path_of(file, label: str) -> str | None:
    return os.fspath(file) if isinstance(file, str | os.PathLike) else None


def type_name(value: object) -> str:
    """JSON's name for the type of `value`."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def read_document(source: str, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES):
    """Read `source` and return it as a `ModelDocument`."""
    from modelcfg_cli.document import document_from_payload

    raw = read_source(source, max_config_bytes)
    metadata = {**raw.metadata, "format": raw.format}
    return document_from_payload(raw.payload, raw.label, metadata, raw.path)


def read_document_bytes(label: str, data: bytes, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES):
    """`read_document` for bytes already read (stdin that `scan` also lists as an archive)."""
    from modelcfg_cli.document import document_from_payload

    raw = _read_bytes(label, data, max_config_bytes, None)
    return document_from_payload(raw.payload, raw.label, {**raw.metadata, "format": raw.format}, raw.path)
