"""A model saved as two files in one folder: `model.json` (`to_json()`) beside its weights
(`model.weights.h5` from `save_weights()`, or a Keras 2 `*.h5` weights file)."""

from __future__ import annotations

from pathlib import Path

from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel
from modelcfg_cli.sources.text import decode, json_object, too_big

WEIGHTS_SUFFIXES = (".h5", ".hdf5")


def find_pair(folder: Path) -> tuple[Path, Path] | None:
    """(the JSON config, the weights file) when the folder holds exactly one of each and nothing else."""
    try:
        files = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return None
    configs = [p for p in files if p.suffix.lower() == ".json" and p.is_file()]
    weights = [p for p in files if p.suffix.lower() in WEIGHTS_SUFFIXES and p.is_file()]
    if len(files) != 2 or len(configs) != 1 or len(weights) != 1:
        return None
    return configs[0], weights[0]


def read_pair(label: str, config_path: Path, max_config_bytes: int) -> RawModel:
    """The pair's config as a `RawModel` (format `json+weights`); its path is the folder."""
    size = config_path.stat().st_size
    if size > max_config_bytes:
        raise SourceError(str(config_path), too_big(size, max_config_bytes))
    payload = json_object(str(config_path), decode(str(config_path), config_path.read_bytes()), "config")
    metadata = {k: payload[k] for k in ("keras_version", "backend") if k in payload}
    return RawModel(label, "json+weights", payload, metadata, str(config_path.parent))
