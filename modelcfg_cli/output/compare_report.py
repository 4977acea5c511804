"""Renderers for `compare`: a text table, JSON (`{"equal", "atol", "rtol", "inputs", "outputs"}`) and a
Markdown table for pull requests."""

from __future__ import annotations

import json

from modelcfg_cli.output import make_console, use_color

COLUMNS = ("output", "shape", "max_abs", "max_rel", "mean_abs", "nan", "inf", "argmax", "result")


def as_data(result) -> dict:
    """The JSON document: `nan` and `inf` are [count in A, count in B]; `argmax_agree` is null unless the
    output looks like class scores."""
    return {
        "equal": result.equal,
        "atol": result.atol,
        "rtol": result.rtol,
        "inputs": [
            {"name": spec.name, "shape": list(spec.shape), "dtype": spec.dtype} for spec in result.inputs
        ],
        "outputs": [
            {
                "name": out.name,
                "shape": list(out.shape),
                "max_abs": out.max_abs,
                "max_rel": out.max_rel,
                "mean_abs": out.mean_abs,
                "nan": list(out.nan),
                "inf": list(out.inf),
                "argmax_agree": out.argmax_agree,
            }
            for out in result.outputs
        ],
    }


def as_json(result) -> str:
    """`as_data` as JSON: one line per input and per output."""
    data = as_data(result)
    head = [f"  {json.dumps(key)}: {json.dumps(data[key])}" for key in ("equal", "atol", "rtol")]
    lists = [
        f"  {json.dumps(key)}: ["
        + ",".join(f"\n    {json.dumps(item, allow_nan=False)}" for item in data[key])
        + ("\n  ]" if data[key] else "]")
        for key in ("inputs", "outputs")
    ]
    return "{\n" + ",\n".join(head + lists) + "\n}\n"


def rows(result) -> list[tuple[str, ...]]:
    """One row of cells per output, in `COLUMNS` order."""
    return [
        (
            out.name if out.other_name is None else f"{out.name} / {out.other_name}",
            "x".join(map(str, out.shape)) or "scalar",
            _number(out.max_abs),
            _number(out.max_rel),
            _number(out.mean_abs),
            "/".join(map(str, out.nan)),
            "/".join(map(str, out.inf)),
            "-" if out.argmax_agree is None else f"{out.argmax_agree:.0%}",
            "ok" if out.within else "DIFFERENT",
        )
        for out in result.outputs
    ]


def _number(value: float) -> str:
    return "0" if value == 0 else f"{value:.3g}"


def header_lines(result) -> list[str]:
    """`A: ...`, `B: ...` and the inputs fed."""
    how = "from a file" if result.seed is None else f"seed {result.seed}"
    inputs = ", ".join(
        f"{spec.name} {'x'.join(map(str, spec.shape))} {spec.dtype}"
        + ("" if spec.limit is None else f" in [0, {spec.limit})")
        + (" all ones" if spec.ones else "")
        for spec in result.inputs
    )
    return [f"A: {result.a}", f"B: {result.b}", f"inputs ({how}): {inputs}"]


def verdict(result) -> str:
    """The last line: equal, or how many outputs are beyond the tolerance."""
    rule = f"|A-B| <= {result.atol:g} + {result.rtol:g} * |A|"
    if result.equal:
        return f"equal: {len(result.outputs)} output(s) within {rule}"
    return f"DIFFERENT: {len(result.failing)} of {len(result.outputs)} output(s) beyond {rule}"


def as_text(result, color: str = "auto", stream=None) -> None:
    """Print the header, an aligned table and the verdict; the result column coloured on a terminal."""
    import sys

    stream = stream or sys.stdout
    table = [COLUMNS, *rows(result)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = [*header_lines(result)]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.append(verdict(result))
    if not use_color(color, stream):
        stream.write("\n".join(lines) + "\n")
        return
    from rich.text import Text

    console = make_console(color, stderr=stream is sys.stderr)
    for line in lines:
        text = Text(line)
        text.highlight_words(["DIFFERENT"], "bold red")
        text.highlight_words([" ok", "equal:"], "green")
        console.print(text)


def as_markdown(result) -> str:
    """A Markdown section: the verdict, both models, the inputs and a table of the outputs."""
    title = "equal" if result.equal else "DIFFERENT"
    lines = [f"**{title}**: `{result.a}` (A) vs `{result.b}` (B)", "", f"- {header_lines(result)[2]}", ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    lines += ["| " + " | ".join(row) + " |" for row in rows(result)]
    lines += ["", verdict(result).replace("|", "\\|")]
    return "\n".join(lines) + "\n"


def check_line(result) -> str:
    """`clone --check`'s verdict: passed, or the first output beyond tolerance and how far."""
    rule = f"|A-B| <= {result.atol:g} + {result.rtol:g} * |A|"
    if result.equal:
        worst = max((out.max_abs for out in result.outputs), default=0.0)
        return f"check passed: {len(result.outputs)} output(s) within {rule} (max_abs {_number(worst)})"
    first = result.failing[0]
    nan = f", NaN {first.nan[0]}/{first.nan[1]}" if any(first.nan) else ""
    more = len(result.failing) - 1
    others = f"; {more} more output(s) beyond it" if more else ""
    return (
        f"check FAILED: output {first.name!r} max_abs {_number(first.max_abs)}, max_rel "
        f"{_number(first.max_rel)}{nan} beyond {rule}{others}"
    )


def render_text(result, sink) -> None:
    """The text table: styled on a colour terminal, plain otherwise."""
    as_text(result, "never" if sink.to_file else sink.color, sink.stream)


def render_json(result, sink) -> None:
    sink.write(as_json(result))


def render_markdown(result, sink) -> None:
    sink.write(as_markdown(result))


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
