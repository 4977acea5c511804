"""The `.keras` zip: `config.json` and `metadata.json`, each refused above the cap before decompressing.
A zip holding a TF.js layers model (`model.json` with its shards: Teachable Machine's download) is read
as that model (`modelcfg_cli.sources.tfjs`)."""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel, path_of
from modelcfg_cli.sources.text import decode, json_object, parse_json, too_big
from modelcfg_cli.sources.tfjs import MODEL_JSON, TfjsFiles, is_tfjs, tfjs_model
from modelcfg_cli.sources.tfjs_manifest import ZipShards

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def read_zip(label: str, file, max_config_bytes: int) -> RawModel:
    """Read a `.keras` zip from a path or a binary stream."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceError(label, f"not a readable zip archive ({exc})") from exc
    with archive:
        names = set(archive.namelist())
        tfjs = _tfjs_in(label, archive, file, max_config_bytes) if CONFIG_FILE not in names else None
        if tfjs is not None:
            return tfjs_model(label, tfjs, path_of(file))
        if CONFIG_FILE not in names:
            hint = " (a weights file?)" if any(n.endswith(".h5") for n in names) else ""
            raise SourceError(label, f"zip archive has no {CONFIG_FILE}{hint}: not a .keras model")
        config_text = _read_member(label, archive, CONFIG_FILE, max_config_bytes)
        metadata = {}
        if METADATA_FILE in names:
            meta_text = _read_member(label, archive, METADATA_FILE, max_config_bytes)
            metadata = json_object(f"{label}:{METADATA_FILE}", meta_text, "metadata")
    payload = json_object(f"{label}:{CONFIG_FILE}", config_text, "config")
    return RawModel(label, "keras-zip", payload, metadata, path_of(file))


def tfjs_zip_files(label: str, file, max_config_bytes: int) -> TfjsFiles | None:
    """The TF.js model a zip holds (its only `model.json` that has a `modelTopology`), else None."""
    try:
        with zipfile.ZipFile(file) as archive:
            return _tfjs_in(label, archive, file, max_config_bytes)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceError(label, f"not a readable zip archive ({exc})") from exc


def _tfjs_in(label: str, archive: zipfile.ZipFile, file, cap: int) -> TfjsFiles | None:
    members = [name for name in archive.namelist() if PurePosixPath(name).name == MODEL_JSON]
    if len(members) != 1:
        return None
    payload = parse_json(f"{label}:{members[0]}", _read_member(label, archive, members[0], cap))
    if not is_tfjs(payload):
        return None
    prefix = members[0][: -len(MODEL_JSON)]
    companion = prefix + METADATA_FILE
    text = _read_member(label, archive, companion, cap).encode() if companion in archive.namelist() else None
    shards = ZipShards(file, prefix) if path_of(file) is not None else None
    return TfjsFiles(payload, shards, text, f"{label}:{companion}")


def _read_member(label: str, archive: zipfile.ZipFile, name: str, cap: int) -> str:
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise SourceError(f"{label}:{name}", too_big(info.file_size, cap))
    try:
        with archive.open(info) as member:
            data = member.read(cap + 1)
    except Exception as exc:  # BadZipFile, OSError, zlib.error and friends on a truncated archive
        raise SourceError(label, f"cannot read {name} from the zip archive ({exc})") from exc
    if len(data) > cap:
        raise SourceError(f"{label}:{name}", too_big(len(data), cap))
    return decode(f"{label}:{name}", data)
