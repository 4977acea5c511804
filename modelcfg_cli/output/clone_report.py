"""Renderers for `clone`: the rules' report, what changed (old -> new), and the result line."""

from __future__ import annotations

import json

from modelcfg_cli.diffing.diff import Change
from modelcfg_cli.legacy.dropped import is_warning
from modelcfg_cli.output.changes import STYLES, by_layer, describe

Line = list[tuple[str, str]]


def visible_changes(changes: list[Change]) -> list[Change]:
    """The changes worth a line: a layer whose class changed shows that, not each field of the new class."""
    reclassed = {c.layer for c in changes if c.kind == "class_changed"}
    return [c for c in changes if not (c.kind == "changed" and c.layer in reclassed)]


def plan_lines(plan) -> list[Line]:
    """Each rule with its match count, model-level notes, then the changes grouped by layer."""
    lines: list[Line] = []
    for result in plan.report.results:
        count = len(result.matched)
        style = "yellow" if not count else ""
        where = f"{result.where}: " if result.where else ""
        lines.append(
            [(f"{where}{result.description}", "bold"), (f": {count} layer{'s' * (count != 1)}", style)]
        )
        lines.extend([[(f"  {note}", "yellow" if is_warning(note) else "")] for note in result.notes])
    lines.extend([[(f"model: {note}", "")] for note in plan.report.model_notes])
    changes = visible_changes(plan.changes)
    for layer, group in by_layer(changes):
        lines.append([("(model)" if layer is None else layer, "bold")])
        for change in group:
            name, detail = describe(change)
            lines.append([(f"  {name}", STYLES[change.kind]), (f": {detail}", "")])
    if not changes:
        lines.append([("no changes to the config", "")])
    lines.extend([[("error: ", "red"), (problem, "")] for problem in plan.problems])
    return lines


def result_line(result) -> Line:
    """`wrote OUT (keras, numpy backend): 6 layers, 5,989 parameters in 1.30 s`."""
    text = (
        f"wrote {result.out} ({result.save_format}, {result.backend} backend): {_contents(result)}, "
        f"{result.params:,} parameters in {result.seconds:.2f} s"
    )
    return [(text, "green")]


def _contents(result) -> str:
    """`6 layers`, or for a model that lists no layers (a keras_hub backbone): `1 model (keras_hub>X)`."""
    if result.layers:
        return f"{result.layers} layer{'s' * (result.layers != 1)}"
    envelope = result.plan.rewritten.envelope
    return f"1 model ({envelope.get('registered_name') or envelope.get('class_name')})"


def as_json(plan, result=None) -> str:
    """`{"rules", "model", "changes", "problems", "result"}` with sorted keys."""
    data = {
        **plan.report.as_dict(),
        "changes": [change.as_dict() for change in plan.changes],
        "problems": plan.problems,
        "result": None,
    }
    if result is not None:
        data["result"] = {
            "out": result.out,
            "format": result.save_format,
            "backend": result.backend,
            "layers": result.layers,
            "params": result.params,
            "seconds": round(result.seconds, 3),
            "notes": list(result.notes),
        }
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
