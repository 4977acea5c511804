"""`clone --save-format preset`: write the clone as a keras-hub preset folder, the way keras-hub's
`save_to_preset` does, atomically (a temporary folder beside OUT, renamed at the end).

`config.json` is the serialized model without `build_config`/`compile_config`, `metadata.json` the
source's (Keras version, parameter count and date brought up to date), the weights one
`model.weights.h5`, or `model.weights.json` and shards when they are larger than `max_shard_size` GB
(keras-hub's rule, default 10). The source preset's other parts (tokenizer, preprocessor, task, their
assets, README) are copied unchanged; only `task.json`'s copy of the backbone config follows the clone's.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from pathlib import Path

from modelcfg_cli.document import CONFIG_FILE, METADATA_FILE
from modelcfg_cli.errors import CloneError, UsageError
from modelcfg_cli.keras_side.streaming import DEFAULT_MAX_SHARD_GB, weights_bytes
from modelcfg_cli.keras_side.streaming import write_weights as write_streamed
from modelcfg_cli.sources.presets import PART_FILES, is_preset
from modelcfg_cli.weights.shards import SHARD_INDEX

SKIPPED_KEYS = ("compile_config", "build_config")
COPIED = (*PART_FILES, "task.weights.h5", "README.md")


def check_preset_output(out: str, protect: tuple[str, ...]) -> None:
    """Refuse an OUT folder that exists and is not empty, is a symlink, is an input, or whose parent
    folder does not exist."""
    target = Path(out)
    if target.is_symlink():
        raise UsageError(out, "output path is a symlink; refusing to write through it")
    if target.exists() and not (target.is_dir() and not any(target.iterdir())):
        raise UsageError(out, "a preset is written to a new or empty folder; this path exists")
    if not target.absolute().parent.is_dir():
        raise UsageError(out, f"output folder {str(target.absolute().parent)!r} does not exist")
    for source in protect:
        if source and Path(source).exists() and Path(source).resolve() == target.resolve():
            raise UsageError(out, "output would overwrite the input; choose another path")


def save_preset_temp(
    keras, model, out: str, source: str | None, max_shard_gb: float | None, stream=None
) -> Path:
    """The preset written into a new temporary folder beside `out`; removed again on failure. With a
    `stream` (`streaming.StreamState`) the unchanged tensors are copied from the source file."""
    target = Path(out).absolute()
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    mask = os.umask(0)
    os.umask(mask)
    temp.chmod(0o777 & ~mask)
    try:
        config = _plain_config(keras.saving.serialize_keras_object(model))
        (temp / CONFIG_FILE).write_text(json.dumps(config, indent=4), encoding="utf-8")
        (temp / METADATA_FILE).write_text(json.dumps(_metadata(keras, model, source), indent=4))
        if stream is not None:  # unchanged tensors copied from the source file (one weights file)
            write_streamed(model, stream, temp / "model.weights.h5")
        else:
            write_weights(model, temp, max_shard_gb)
        if source and is_preset(source):
            copy_parts(Path(source), temp, config)
    except CloneError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise CloneError(out, f"could not write the preset: {type(exc).__name__}: {exc}") from exc
    return temp


def _plain_config(config: dict) -> dict:
    """The config without the keys keras-hub leaves out of a preset, at every depth."""
    if isinstance(config, dict):
        return {k: _plain_config(v) for k, v in config.items() if k not in SKIPPED_KEYS}
    if isinstance(config, list):
        return [_plain_config(v) for v in config]
    return config


def _metadata(keras, model, source: str | None) -> dict:
    found = {}
    if source and Path(source, METADATA_FILE).is_file():
        try:
            found = json.loads(Path(source, METADATA_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            found = {}
    if not isinstance(found, dict):
        found = {}
    return {
        **found,
        "keras_version": keras.version(),
        "parameter_count": int(model.count_params()),
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }


def write_weights(model, folder: Path, max_shard_gb: float | None) -> None:
    """`model.weights.h5`, or sharded weights when larger than `max_shard_gb` GB."""
    limit = DEFAULT_MAX_SHARD_GB if max_shard_gb is None else max_shard_gb
    if weights_bytes(model) > limit * 1024**3:
        model.save_weights(folder / SHARD_INDEX, max_shard_size=limit)
    else:
        model.save_weights(folder / "model.weights.h5")


def copy_parts(source: Path, out: Path, config: dict) -> None:
    """The source preset's parts and assets, unchanged; `task.json`'s backbone config is the clone's."""
    for name in COPIED:
        if (source / name).is_file() and not (source / name).is_symlink():
            shutil.copyfile(source / name, out / name)
    if (source / "assets").is_dir() and not (source / "assets").is_symlink():
        shutil.copytree(source / "assets", out / "assets", symlinks=True)
    task = out / "task.json"
    if task.is_file():
        value = json.loads(task.read_text(encoding="utf-8"))
        inner = value.get("config") if isinstance(value, dict) else None
        backbone = inner.get("backbone") if isinstance(inner, dict) else None
        if isinstance(inner, dict) and isinstance(backbone, dict) and backbone != config:
            inner["backbone"] = config
            task.write_text(json.dumps(value, indent=4), encoding="utf-8")


def reload_preset_config(keras, temp: Path, safe_mode: bool) -> dict:
    """The serialized model Keras builds again from the written `config.json`."""
    saved = json.loads((temp / CONFIG_FILE).read_text(encoding="utf-8"))
    model = keras.saving.deserialize_keras_object(saved, safe_mode=safe_mode)
    return json.loads(model.to_json())


def publish(temp: Path, out: str) -> None:
    """Move the finished folder to OUT (an empty OUT folder is replaced)."""
    target = Path(out)
    if target.is_dir():
        target.rmdir()
    temp.rename(target)
