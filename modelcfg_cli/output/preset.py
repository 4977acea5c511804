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
    table = [(row["layer"], str(row["tensors"]), f"{row['parameters']:,}", ", ".join(row["shapes"])) for row in rows]
    out.extend(_table(("layer", "tensors", "parameters", "shapes"), table))
    out.append("parts:")
    for part in preset["parts"]:
        out.append(f"  {part['file']}  {part['class']}" + (f"  ({part['problem']})" if part["problem"] else ""))
    out.extend(f"  {item['path']}  {_bytes(item['bytes'])}" for item in preset["assets"])
    files = preset["weight_files"]
    shards = sum(1 for item in files if item["file"].startswith("model_"))
    kind = f"sharded in {shards} files" if preset["sharded"] else "one file"
    total = sum(item["bytes"] for item in files)
    out.append(f"weights: {kind}, {_bytes(total)} ({', '.join(item['file'] for item in files)})")
    return out


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() for cells in [header, *rows]]


def _bytes(count: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"
