"""`diff` of two keras-hub presets beyond the backbone: the part configs (tokenizer, preprocessor, task)
field by field, and the assets (vocabularies, merges) by content. Each difference is a model-level
`Change` whose path names the file: `tokenizer.json: config.lowercase`, `assets/tokenizer/vocab.txt`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import cast

from modelcfg_cli.diffing.diff import MISSING, Change, DiffOptions, _compare, _Ignore
from modelcfg_cli.sources.presets import assets, is_preset, preset_parts


def part_changes(path_a: str | None, path_b: str | None, options: DiffOptions | None = None) -> list[Change]:
    """The differences between the parts of two presets; none unless both are presets."""
    if path_a is None or path_b is None or not (is_preset(path_a) and is_preset(path_b)):
        return []
    options = options or DiffOptions()
    ignored = _Ignore(options.ignore, new_fields=options.ignore_new_fields)
    parts_a = {part.file: part.envelope for part in preset_parts(path_a)}
    parts_b = {part.file: part.envelope for part in preset_parts(path_b)}
    changes = []
    for name in [*parts_a, *(n for n in parts_b if n not in parts_a)]:
        a, b = parts_a.get(name, MISSING), parts_b.get(name, MISSING)
        if a is MISSING or b is MISSING:
            changes.append(Change("model", None, name, _present(a), _present(b)))
            continue
        fields: list[tuple[str, object, object]] = []
        _compare(_comparable(cast(dict | None, a)), _comparable(cast(dict | None, b)), "", ignored, fields)
        changes.extend(Change("model", None, f"{name}: {path}", old, new) for path, old, new in fields)
    return changes + asset_changes(path_a, path_b)


def _comparable(envelope: dict | None) -> dict:
    if not isinstance(envelope, dict):
        return {}
    return {"class_name": envelope.get("class_name"), "config": envelope.get("config")}


def _present(value: object) -> str:
    return "absent" if value is MISSING else "present"


def asset_changes(path_a: str, path_b: str) -> list[Change]:
    """Assets added, removed or with other content (sizes and SHA-256 prefixes shown)."""
    found_a, found_b = dict(assets(path_a)), dict(assets(path_b))
    changes = []
    for name in sorted({*found_a, *found_b}):
        old = digest(Path(path_a) / name) if name in found_a else "absent"
        new = digest(Path(path_b) / name) if name in found_b else "absent"
        if old != new:
            changes.append(Change("model", None, name, old, new))
    return changes


def digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{path.stat().st_size} bytes, sha256 {digest.hexdigest()[:12]}"
