"""Where `clone` saves: one file (`.keras`, `.h5`, `.json`) or a keras-hub preset folder. Each saver
writes a temporary beside OUT, reads back what Keras would build from it, and moves it onto OUT."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelcfg_cli.errors import CloneError
from modelcfg_cli.files import temp_beside
from modelcfg_cli.keras_side.build import reload_config, save_temp
from modelcfg_cli.keras_side.preset_out import publish, reload_preset_config, save_preset_temp
from modelcfg_cli.keras_side.streaming import deferred_variables, reload_deferred, save_keras


def is_preset_path(out: str) -> bool:
    """An OUT that names a folder: an existing one, one ending in `/`, or a name with no extension."""
    return out.endswith(("/", os.sep)) or Path(out).is_dir() or not Path(out).suffix


@dataclass(frozen=True)
class FileSaver:
    """A single file in format `fmt` (keras, h5, json)."""

    fmt: str
    stream: Any = None  # a `streaming.StreamState`: a `.keras` file whose unchanged tensors are copied

    def save(self, keras, model, out: str) -> Path:
        if self.stream is None:
            return save_temp(keras, model, out, self.fmt)
        temp = temp_beside(out, ".keras")
        try:
            save_keras(model, self.stream, temp)
        except Exception as exc:
            temp.unlink(missing_ok=True)
            raise CloneError(out, f"could not save the model: {type(exc).__name__}: {exc}") from exc
        return temp

    def reload(self, keras, temp: Path, safe_mode: bool, label: str) -> dict:
        if self.stream is None:
            return reload_config(keras, temp, self.fmt, safe_mode, label)
        return reload_deferred(keras, temp, safe_mode, label)  # the variables need no values

    def publish(self, temp: Path, out: str) -> None:
        os.replace(temp, out)

    def discard(self, temp: Path) -> None:
        temp.unlink(missing_ok=True)


@dataclass(frozen=True)
class PresetSaver:
    """A keras-hub preset folder; `source` is the source's path (its parts are copied when a preset)."""

    source: str | None
    max_shard_size: float | None = None
    stream: Any = None

    def save(self, keras, model, out: str) -> Path:
        return save_preset_temp(keras, model, out, self.source, self.max_shard_size, self.stream)

    def reload(self, keras, temp: Path, safe_mode: bool, label: str) -> dict:
        from modelcfg_cli.keras_side.build import keras_error

        try:
            with deferred_variables(keras) if self.stream is not None else contextlib.nullcontext():
                return reload_preset_config(keras, temp, safe_mode)
        except Exception as exc:
            raise keras_error(label, exc) from exc

    def publish(self, temp: Path, out: str) -> None:
        publish(temp, out)

    def discard(self, temp: Path) -> None:
        if temp.is_dir():
            shutil.rmtree(temp, ignore_errors=True)
