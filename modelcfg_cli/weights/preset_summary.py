"""What `inspect` shows of a keras-hub preset: the backbone's own fields, the layers its weights file
stores (a backbone's functional graph is built by keras-hub's code, so its stored layers are what can be
known without Keras), and the preset's parts: tokenizer, preprocessor, task, assets, weight files."""

from __future__ import annotations

import json
from pathlib import Path

from modelcfg_cli.document import METADATA_FILE, SHARD_INDEX, ModelDocument
from modelcfg_cli.sources.presets import assets, is_preset, preset_parts, weight_files

SKIPPED_FIELDS = ("name", "trainable", "dtype")


def preset_summary(doc: ModelDocument) -> dict | None:
    """The preset view of `doc`, or None when `doc` is not a keras-hub preset folder."""
    if doc.path is None or not is_preset(doc.path):
        return None
    config = doc.envelope.get("config")
    config = config if isinstance(config, dict) else {}
    metadata = _metadata(Path(doc.path))  # a preset folder: is_preset said so
    return {
        "class": doc.envelope.get("registered_name") or doc.class_name,
        "keras_hub_version": metadata.get("keras_hub_version"),
        "tasks": metadata.get("tasks") or [],
        "parameter_count": metadata.get("parameter_count"),
        "fields": {k: v for k, v in config.items() if k not in SKIPPED_FIELDS},
        "stored_layers": stored_layers(doc.path),
        "parts": [
            {"file": p.file, "class": p.registered_name or p.class_name, "problem": p.problem}
            for p in preset_parts(doc.path)
        ],
        "assets": [{"path": path, "bytes": size} for path, size in assets(doc.path)],
        "weight_files": [{"file": name, "bytes": size} for name, size in weight_files(doc.path)],
        "sharded": (Path(doc.path) / SHARD_INDEX).is_file(),
    }


def _metadata(root: Path) -> dict:
    try:
        value = json.loads((root / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def stored_layers(path: str) -> list[dict]:
    """One row per layer with stored tensors, in the file's order: name, tensor count, parameters,
    shapes (sub-layers' tensors belong to their layer, as `layer.weights` holds them)."""
    from modelcfg_cli.weights.stored import open_tensors

    rows: dict[str, dict] = {}
    with open_tensors(path) as tensors:
        for tensor in tensors or ():
            row = rows.setdefault(tensor.layer, {"layer": tensor.layer, "tensors": 0, "parameters": 0})
            shape = tuple(tensor.dataset.shape)
            row["tensors"] += 1
            row["parameters"] += _size(shape)
            row.setdefault("shapes", []).append("x".join(map(str, shape)) or "scalar")
    return list(rows.values())


def _size(shape: tuple) -> int:
    count = 1
    for dim in shape:
        count *= int(dim)
    return count
