"""keras-hub preset folders: the parts beside the backbone's `config.json`, read without keras-hub.

A preset (`backbone.save_to_preset(DIR)`, `task.save_to_preset(DIR)`) holds `config.json` (the backbone),
`metadata.json` (with `keras_hub_version`), the backbone's weights (`model.weights.h5`, or
`model.weights.json` and its shards), and as the preset has them `tokenizer.json`, `preprocessor.json`,
`task.json` (each a serialized Keras object), `task.weights.h5`, the converters' configs, `README.md` and
`assets/` (vocabularies, merges). Nothing here imports Keras or keras-hub.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from modelcfg_cli.document import SHARD_INDEX

PART_FILES = (
    "tokenizer.json",
    "preprocessor.json",
    "task.json",
    "audio_converter.json",
    "image_converter.json",
    "video_converter.json",
)
WEIGHT_FILES = ("model.weights.h5", SHARD_INDEX, "task.weights.h5")
OTHER_FILES = ("README.md",)
SHARD_FILE = re.compile(r"^model_\d{5}\.weights\.h5$")
MAX_PART_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PresetPart:
    """One part config of a preset: its file name, registered class and config (None if unreadable)."""

    file: str
    class_name: str
    registered_name: str | None
    envelope: dict | None
    problem: str | None = None


def is_preset(folder: str | Path | None) -> TypeGuard[str]:
    """True for a keras-hub preset folder: its metadata names a keras-hub version, or it holds a part
    config or sharded weights."""
    if folder is None or not Path(folder).is_dir():
        return False
    root = Path(folder)
    if any((root / name).is_file() for name in (*PART_FILES, SHARD_INDEX)):
        return True
    try:
        metadata = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(metadata, dict) and "keras_hub_version" in metadata


def preset_member(name: str) -> bool:
    """True for a file keras-hub writes in a preset (besides what Keras writes in a model folder)."""
    return name in PART_FILES or name in WEIGHT_FILES or name in OTHER_FILES or bool(SHARD_FILE.match(name))


def preset_parts(folder: str | Path) -> list[PresetPart]:
    """The part configs a preset holds, in keras-hub's order."""
    return [read_part(Path(folder) / name) for name in PART_FILES if (Path(folder) / name).is_file()]


def read_part(path: Path) -> PresetPart:
    """One part config; a part that cannot be read says why in `problem`."""
    try:
        if path.stat().st_size > MAX_PART_BYTES:
            return PresetPart(path.name, "?", None, None, "larger than 64 MiB")
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        return PresetPart(path.name, "?", None, None, f"cannot be read ({exc})")
    if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
        return PresetPart(path.name, "?", None, None, "is not a serialized Keras object")
    registered = value.get("registered_name")
    registered = registered if isinstance(registered, str) else None
    return PresetPart(path.name, value["class_name"], registered, value)


def assets(folder: str | Path) -> list[tuple[str, int]]:
    """(path under the preset, size in bytes) of every file under `assets/`, sorted."""
    root = Path(folder) / "assets"
    if not root.is_dir() or root.is_symlink():
        return []
    return sorted(
        (path.relative_to(folder).as_posix(), path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def weight_files(folder: str | Path) -> list[tuple[str, int]]:
    """(name, size in bytes) of the preset's weight files: `model.weights.h5` or the index and its
    shards, and `task.weights.h5`."""
    root = Path(folder)
    names = [n for n in WEIGHT_FILES if (root / n).is_file()]
    names += sorted(p.name for p in root.iterdir() if SHARD_FILE.match(p.name) and p.is_file())
    return [(name, (root / name).stat().st_size) for name in names]
