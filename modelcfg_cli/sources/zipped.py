"""The `.keras` zip: `config.json` and `metadata.json`, each refused above the cap before decompressing."""

from __future__ import annotations

import zipfile

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel, path_of
from modelcfg_cli.sources.text import decode, json_object, too_big

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def read_zip(label: str, file, max_config_bytes: int) -> RawModel:
    """Read a `.keras` zip from a path or a binary stream."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceError(label, f"not a readable zip archive ({exc})") from exc
    with archive:
        names = set(archive.namelist())
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
