"""A model folder saved with `model.save(path, zipped=False)`: `config.json` and `metadata.json`."""

from __future__ import annotations

from pathlib import Path

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel
from modelcfg_cli.sources.text import decode, json_object, too_big


def read_folder(label: str, path: Path, max_config_bytes: int) -> RawModel:
    """Read the config and metadata of a model folder."""
    config_path = path / CONFIG_FILE
    if not config_path.is_file():
        raise SourceError(label, f"directory has no {CONFIG_FILE}: not a model saved with zipped=False")
    metadata = {}
    meta_path = path / METADATA_FILE
    if meta_path.is_file():
        metadata = json_object(str(meta_path), _read_text(meta_path, max_config_bytes), "metadata")
    payload = json_object(str(config_path), _read_text(config_path, max_config_bytes), "config")
    return RawModel(label, "keras-dir", payload, metadata, str(path))


def _read_text(path: Path, cap: int) -> str:
    try:
        size = path.stat().st_size
        if size > cap:
            raise SourceError(str(path), too_big(size, cap))
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the file ({exc.strerror or exc})") from None
    return decode(str(path), data)
