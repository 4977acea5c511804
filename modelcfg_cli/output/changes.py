"""A diff's changes as text: the lines of the text report (rich styles on a terminal, plain when piped),
JSON, the markdown comment, and the words and counts the other reports share. The renderers choose
among these in `output/diff_report.py`.
"""

from __future__ import annotations

import json
import math

from modelcfg_cli.diffing.diff import KINDS, MISSING, Change

STYLES = {
    "model": "bold",
    "renamed": "cyan",
    "class_changed": "magenta",
    "wrapped": "magenta",
    "unwrapped": "magenta",
    "removed": "red",
    "added": "green",
    "rewired": "blue",
    "changed": "yellow",
    "weights": "yellow",
}
NOUNS = {
    "model": ("model change", "model changes"),
    "renamed": ("renamed", "renamed"),
    "class_changed": ("class changed", "classes changed"),
    "wrapped": ("wrapped", "wrapped"),
    "unwrapped": ("unwrapped", "unwrapped"),
    "removed": ("removed", "removed"),
    "added": ("added", "added"),
    "rewired": ("rewired", "rewired"),
    "changed": ("changed field", "changed fields"),
    "weights": ("changed tensor", "changed tensors"),
}
ALL_KINDS = (*KINDS, "weights")
MAX_VALUE = 120


def as_json(changes: list[Change], summary: dict, stat: bool = False) -> str:
    """`{"equal", "summary", "changes"}` (no "changes" with --stat), sorted keys, one trailing newline."""
    data: dict = {"equal": not changes and not summary.get("default_only"), "summary": summary}
    if not stat:
        data["changes"] = [change.as_dict() for change in changes]
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def by_layer(changes: list[Change]) -> list[tuple[str | None, list[Change]]]:
    """Changes grouped by layer in first-seen order; a model's own changes are keyed by its path or None."""
    groups: dict[str | None, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.layer, []).append(change)
    return list(groups.items())


def value_text(value: object, limit: int = MAX_VALUE) -> str:
    """A value as compact JSON, `(absent)` for a missing key, shortened past `limit` characters."""
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(change: Change) -> tuple[str, str]:
    """A change as (label, detail) for one line of text or one table row."""
    kind, old, new = change.kind, change.old, change.new
    if kind == "weights":
        return weights_text(change)
    if kind == "renamed":
        return "renamed", f"{old} -> {new}"
    if kind == "class_changed":
        return "class", f"{old} -> {new}"
    if kind == "wrapped":
        return "wrapped", f"in {new.split('(')[0]} ({old} -> {new})"
    if kind == "unwrapped":
        return "unwrapped", f"from {old.split('(')[0]} ({old} -> {new})"
    if kind in ("removed", "added"):
        layer = old if kind == "removed" else new
        inbound = ", ".join(layer["inbound"]) or "no inputs"
        return kind, f"{layer['class_name']}, from {inbound}"
    if kind == "rewired":
        return "inbound", f"{', '.join(old) or '(none)'} -> {', '.join(new) or '(none)'}"
    return str(change.path), f"{value_text(old)} -> {value_text(new)}"


def weights_text(change) -> tuple[str, str]:
    """A tensor's change as (label, detail): `weights 0 (vars/0)`, `max_abs 0.5, rel_l2 0.01, ...`."""
    label = f"weights {change.path}" + (f" ({change.name})" if change.name else "")
    old, new = change.old, change.new
    if change.change in ("added", "removed"):
        side = new if change.change == "added" else old
        return label, f"{change.change}, {_shape(side)} {side['dtype']}"
    if change.change in ("shape", "dtype"):
        key = change.change
        show = _shape if key == "shape" else (lambda side: side["dtype"])
        return label, f"{key} {show(old)} -> {show(new)}"
    if change.max_abs is None:
        return label, "values changed"
    rel = "n/a (A is all zeros)" if change.rel_l2 is None else f"{change.rel_l2:.3g}"
    total = math.prod(old["shape"])
    detail = f"max_abs {change.max_abs:.6g}, rel_l2 {rel}, {change.values_changed} of {total} values changed"
    for what, counts in (("NaN", change.nan), ("Inf", change.inf)):
        if counts and (counts["a"] or counts["b"]):
            detail += f", {what} {counts['a']} -> {counts['b']}"
    return label, detail


def _shape(side: dict) -> str:
    return "x".join(map(str, side["shape"])) or "scalar"


def counts_text(summary: dict) -> str:
    """`1 renamed, 2 changed fields in 3 layers`, or `no differences`."""
    parts = [f"{summary[kind]} {NOUNS[kind][summary[kind] != 1]}" for kind in ALL_KINDS if summary.get(kind)]
    if not parts:
        return "no differences"
    layers = summary["layers_changed"]
    where = f" in {layers} layer{'s' if layers != 1 else ''}" if layers else ""
    return ", ".join(parts) + where


def summary_line(changes: list[Change], summary: dict) -> str:
    """`A and B differ: 1 renamed, 2 changed fields in 3 layers` or `A and B are equal (N layers)`."""
    sources = summary["sources"]
    versions = summary["keras_version"]
    note = ""
    if versions["a"] and versions["b"] and versions["a"] != versions["b"]:
        note = f"; keras {versions['a']} vs {versions['b']} (information)"
    folded = summary.get("default_only")
    if not changes and folded:
        return f"{sources['a']} and {sources['b']} differ only in {_folded(folded)}{note}"
    if not changes:
        return f"{sources['a']} and {sources['b']} are equal ({summary['layers']['a']} layers){note}"
    more = f"; {_folded(folded)}" if folded else ""
    return f"{sources['a']} and {sources['b']} differ: {counts_text(summary)}{more}{note}"


def _folded(count: int) -> str:
    """`12 default-only fields (not listed; --verbose lists them)`."""
    return f"{count} default-only field{'s' if count != 1 else ''} (not listed; --verbose lists them)"


def text_lines(changes: list[Change], summary: dict, stat: bool = False) -> list[list[tuple[str, str]]]:
    """Lines of (text, style) segments: changes grouped under their layer, then the summary."""
    lines: list[list[tuple[str, str]]] = []
    groups = [(_label(layer), group) for layer, group in by_layer(changes)]
    if not stat:
        for label, group in groups:
            lines.append([(label, "bold")])
            for change in group:
                name, detail = describe(change)
                lines.append([("  " + name, STYLES[change.kind]), (": " + detail, "")])
    else:
        width = max((len(label) for label, _ in groups), default=0)
        for label, group in groups:
            counts = ", ".join(f"{n} {kind}" for kind, n in _count(group).items())
            lines.append([(label.ljust(width), "bold"), (f" | {counts}", "")])
    lines.append([(summary_line(changes, summary), "bold")])
    return lines


def _label(layer: str | None) -> str:
    """A group's heading: the layer's path, or `(model)` for the model's own changes."""
    return "(model)" if layer is None else layer


def _count(group: list[Change]) -> dict[str, int]:
    """Changes per kind, in first-seen order."""
    counts: dict[str, int] = {}
    for change in group:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return counts


def as_markdown(changes: list[Change], summary: dict, stat: bool = False, graph: str = "") -> str:
    """A pull-request comment: a verdict, a summary table, `graph` (markdown) and a table of changes
    per layer."""
    sources = summary["sources"]
    out = [f"### modelcfg diff: {_code(sources['a'])} → {_code(sources['b'])}", ""]
    folded = summary.get("default_only")
    verdict = "Equal" if not changes and not folded else "Different"
    layers = summary["layers"]
    out += [f"**{verdict}**: {counts_text(summary)} ({layers['a']} layers in A, {layers['b']} in B)", ""]
    if folded:
        out += [f"Also {_folded(folded)}: a field absent on one side, null/false/empty on the other.", ""]
    if changes:
        out += ["| change | count |", "|---|---:|"]
        out += [f"| {kind} | {summary[kind]} |" for kind in ALL_KINDS if summary.get(kind)]
        out.append("")
    if graph:
        out += [graph.rstrip("\n"), ""]
    if not stat:
        for layer, group in by_layer(changes):
            out += [f"#### {_code(layer) if layer is not None else 'Model'}", ""]
            out += ["| change | field | old | new |", "|---|---|---|---|"]
            out += [_markdown_row(change) for change in group]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_row(change: Change) -> str:
    """One row of a layer's table: change, field, old, new."""
    if change.kind in ("changed", "model"):
        old, new = _code(value_text(change.old)), _code(value_text(change.new))
        return f"| {change.kind} | {_code(change.path)} | {old} | {new} |"
    label, detail = describe(change)
    if change.kind == "weights":
        return f"| weights | {_code(label)} | | {_code(detail)} |"
    if change.kind == "added":
        return f"| added | | | {_code(detail)} |"
    if change.kind == "removed":
        return f"| removed | | {_code(detail)} | |"
    old, new = (", ".join(v) if isinstance(v, list) else str(v) for v in (change.old, change.new))
    return f"| {change.kind} | | {_code(old)} | {_code(new)} |"


def _code(text: object) -> str:
    """Inline code safe inside a GitHub table cell."""
    text = str(text).replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"
