"""Read a model source (zip, folder, SavedModel folder, TF.js model.json, HDF5, JSON, YAML, stdin) into
plain data, never importing Keras.

The format is told by content, not by file extension, here and only here; one module reads each
format. Weights are never read here (see `modelcfg_cli.weights.stored`).
"""

from __future__ import annotations

import dataclasses
import io
import sys
import zipfile
from pathlib import Path

from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.folder import read_folder
from modelcfg_cli.sources.hdf5 import is_hdf5, read_hdf5
from modelcfg_cli.sources.pair import find_pair, read_pair
from modelcfg_cli.sources.raw import RawModel
from modelcfg_cli.sources.savedmodel import is_savedmodel, read_savedmodel
from modelcfg_cli.sources.text import decode, parse_text, too_big
from modelcfg_cli.sources.tfjs import (
    TfjsFiles,
    files_beside,
    find_tfjs,
    folder_files,
    is_tfjs,
    read_tfjs_file,
    tfjs_json_of,
    tfjs_model,
)
from modelcfg_cli.sources.zipped import ZIP_MAGICS, read_zip, tfjs_zip_files

DEFAULT_MAX_CONFIG_BYTES = 256 * 1024 * 1024

__all__ = ["DEFAULT_MAX_CONFIG_BYTES", "RawModel", "read_document", "read_document_bytes", "read_source"]


def read_source(source: str, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES) -> RawModel:
    """Read `source` (a path, or `-` for stdin) and return its parsed config and metadata."""
    if source == "-":
        data = sys.stdin.buffer.read()
        return dataclasses.replace(_read_bytes("-", data, max_config_bytes, None), data=data)
    path = Path(source)
    if not path.exists():
        raise SourceError(source, "no such file or directory")
    if path.is_dir():
        if is_savedmodel(path):
            return read_savedmodel(source, path)
        tfjs = find_tfjs(path)
        if tfjs is not None:
            return read_tfjs_file(source, tfjs, max_config_bytes)
        pair = find_pair(path)
        if pair is not None:
            return read_pair(source, pair[0], max_config_bytes)
        return read_folder(source, path, max_config_bytes)
    try:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(source, "the file is empty")
        with path.open("rb") as handle:
            head = handle.read(8)
            if head[:4] in ZIP_MAGICS:
                return read_zip(source, path, max_config_bytes)
            if is_hdf5(handle):
                return read_hdf5(source, str(path))
            if size > max_config_bytes:
                raise SourceError(source, too_big(size, max_config_bytes))
            handle.seek(0)
            data = handle.read()
    except OSError as exc:
        raise SourceError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    return _read_bytes(source, data, max_config_bytes, str(path))


def _read_bytes(label: str, data: bytes, max_config_bytes: int, path: str | None) -> RawModel:
    if not data:
        raise SourceError(label, "the input is empty")
    if data[:4] in ZIP_MAGICS:
        return read_zip(label, io.BytesIO(data), max_config_bytes)
    if is_hdf5(io.BytesIO(data)):
        return read_hdf5(label, io.BytesIO(data))
    if len(data) > max_config_bytes:
        raise SourceError(label, too_big(len(data), max_config_bytes))
    payload, source_format = parse_text(label, decode(label, data))
    if is_tfjs(payload):
        files = files_beside(Path(path), payload) if path else TfjsFiles(payload)
        return tfjs_model(label, files, path)
    metadata = {}
    if isinstance(payload, dict):
        metadata = {k: payload[k] for k in ("keras_version", "backend") if k in payload}
    return RawModel(label, source_format, payload, metadata, path)


def tfjs_files(path: Path, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES) -> TfjsFiles | None:
    """The parts of the TF.js layers model `path` stands for (a folder, its model.json, or a zip of
    them: Teachable Machine's download), for the readers of its weights and members; else None."""
    json_path = tfjs_json_of(path)
    if json_path is not None:
        return folder_files(json_path, max_config_bytes)
    if path.is_file() and zipfile.is_zipfile(path):
        return tfjs_zip_files(str(path), path, max_config_bytes)
    return None


def read_document(source: str, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES):
    """Read `source` and return it as a `ModelDocument`."""
    from modelcfg_cli.document import Origin, document_from_payload

    raw = read_source(source, max_config_bytes)
    origin = Origin(raw.format)
    return document_from_payload(raw.payload, raw.label, raw.metadata, raw.path, data=raw.data, origin=origin)


def read_document_bytes(label: str, data: bytes, max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES):
    """`read_document` for bytes already read (stdin that `scan` also lists as an archive)."""
    from modelcfg_cli.document import Origin, document_from_payload

    raw = _read_bytes(label, data, max_config_bytes, None)
    return document_from_payload(raw.payload, raw.label, raw.metadata, raw.path, origin=Origin(raw.format))
