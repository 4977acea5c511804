"""The text of `inspect` on a keras-hub preset: its class and fields, the layers its weights store, its
parts (tokenizer, preprocessor, task), assets and weight files."""

from __future__ import annotations

import json


def render_preset(preset: dict, console) -> None:
    """Print the preset view made by `preset_summary` (plain text, no markup)."""
    out = _lines(preset)
    console.print("\n".join(out), markup=False, soft_wrap=True)


def _lines(preset: dict) -> list[str]:
    tasks = ", ".join(preset["tasks"]) or "none listed"
    out = [f"keras-hub preset of {preset['class']} (keras-hub {preset['keras_hub_version']}; tasks: {tasks})"]
    out.append("config: " + " ".join(f"{k}={json.dumps(v)}" for k, v in preset["fields"].items()))
    rows = preset["stored_layers"]
    params = sum(row["parameters"] for row in rows)
    out.append(f"stored layers: {len(rows)} with weights, {params:,} parameters")
    table = [_layer_cells(row) for row in rows]
    out.extend(_table(("layer", "tensors", "parameters", "shapes"), table))
    parts: list[tuple[str, ...]] = [
        (p["file"], p["class"] + (f" ({p['problem']})" if p["problem"] else "")) for p in preset["parts"]
    ]
    parts += [(item["path"], _bytes(item["bytes"])) for item in preset["assets"]]
    out.append("parts:" if parts else "parts: none besides the backbone")
    out.extend(_table(None, parts))
    out.append(_weights_line(preset))
    return out


def _layer_cells(row: dict) -> tuple[str, ...]:
    return row["layer"], str(row["tensors"]), f"{row['parameters']:,}", ", ".join(row["shapes"])


def _weights_line(preset: dict) -> str:
    files = preset["weight_files"]
    shards = [item["file"] for item in files if item["file"].startswith("model_")]
    named = [item["file"] for item in files if not item["file"].startswith("model_")]
    if shards:
        named.append(f"{shards[0]} .. {shards[-1]}" if len(shards) > 1 else shards[0])
    kind = f"sharded in {len(shards)} files" if preset["sharded"] else "one file"
    total = sum(item["bytes"] for item in files)
    return f"weights: {kind}, {_bytes(total)} ({', '.join(named)})"


def _table(header: tuple[str, ...] | None, rows: list) -> list[str]:
    lines = [header, *rows] if header else rows
    if not lines:
        return []
    widths = [max(len(cells[i]) for cells in lines) for i in range(len(lines[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines]


def _bytes(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"
