"""Rendering: JSON/YAML text, rich consoles built per call, colour rules, and `Sink`, where a renderer
writes (stdout, or a buffer that becomes `-o FILE`).

Each report type has a module here with a `RENDERERS` registry `{format name: render(view, sink)}`;
a command's `--format` choices are that registry's keys.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any


def use_color(choice: str, stream) -> bool:
    """Colour for `--color auto|always|never`; auto means a terminal and no NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def make_console(color: str = "auto", stderr: bool = False, file=None):
    """A rich Console for stdout, stderr or `file`, coloured by the `--color` rule."""
    from rich.console import Console

    stream = file or (sys.stderr if stderr else sys.stdout)
    colored = use_color(color, stream)
    fitted = colored and bool(getattr(stream, "isatty", lambda: False)())  # a terminal's width; else none
    return Console(
        file=stream,
        force_terminal=colored,
        no_color=not colored,
        highlight=False,
        soft_wrap=not fitted,
        width=None if fitted else 10_000,
    )


def to_text(
    data: Any,
    fmt: str = "json",
    indent: int = 2,
    sort_keys: bool = False,
    drop_keys: frozenset = frozenset(),
) -> str:
    """Serialize plain data as JSON or YAML text ending in a newline, leaving out `drop_keys`."""
    if fmt == "yaml":
        import yaml

        data = _without_keys(data, drop_keys) if drop_keys else data
        return yaml.safe_dump(data, sort_keys=sort_keys, indent=max(indent, 2), allow_unicode=True)
    if indent == 0 and not drop_keys:
        return json.dumps(data, sort_keys=sort_keys, allow_nan=False) + "\n"
    return json_text(data, " " * indent, sort_keys, drop_keys) + "\n"


def _without_keys(value: Any, drop_keys: frozenset) -> Any:
    if isinstance(value, dict):
        return {k: _without_keys(v, drop_keys) for k, v in value.items() if k not in drop_keys}
    if isinstance(value, list):
        return [_without_keys(v, drop_keys) for v in value]
    return value


_scalar = json.JSONEncoder(allow_nan=False).encode


def json_text(
    value: Any, step: str = "  ", sort_keys: bool = False, drop_keys: frozenset = frozenset()
) -> str:
    """JSON like `json.dumps(indent=...)` (compact on one line when `step` is empty), about twice as fast
    for big configs, leaving out the keys in `drop_keys` at every depth."""
    parts: list[str] = []
    add = parts.append
    newline = "\n" if step else ""
    comma = "," if step else ", "

    def encode(item: Any, pad: str) -> None:
        kind = type(item)
        if kind is dict:
            pairs = [(k, v) for k, v in item.items() if k not in drop_keys]
            if sort_keys:
                pairs.sort(key=lambda pair: str(pair[0]))
            encode_items(pairs, pad, "{", "}")
        elif kind is list:
            encode_items(item, pad, "[", "]")
        else:
            add(_scalar(item))

    def encode_items(items, pad: str, opening: str, closing: str) -> None:
        if not items:
            add(opening + closing)
            return
        inner = pad + step
        separator = newline + inner
        add(opening)
        keyed = opening == "{"
        for element in items:
            add(separator)
            if keyed:
                key, element = element
                add(_scalar(key if isinstance(key, str) else str(key)))
                add(": ")
            if type(element) in (dict, list):
                encode(element, inner)
            else:
                add(_scalar(element))
            separator = comma + newline + inner
        add(newline + pad + closing)

    encode(value, "")
    return "".join(parts)


def emit_data(text: str, fmt: str, color: str) -> None:
    """Print data text on stdout, syntax-highlighted when colour is on."""
    if not use_color(color, sys.stdout):
        sys.stdout.write(text)
        return
    from rich.syntax import Syntax

    make_console(color).print(Syntax(text.rstrip("\n"), fmt, background_color="default"))


def print_segments(lines: list[list[tuple[str, str]]], color: str, stream=None) -> None:
    """Lines of (text, style) segments: styled on a terminal, plain text when piped."""
    stream = stream or sys.stdout
    if not use_color(color, stream):
        stream.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        return
    from rich.text import Text

    console = make_console(color, stderr=stream is sys.stderr)
    for line in lines:
        console.print(Text.assemble(*((text, style or "") for text, style in line)))


@dataclass
class Sink:
    """Where a renderer writes: stdout coloured by `--color`, or (`to_file`) a buffer, never coloured."""

    color: str = "auto"
    to_file: bool = False
    buffer: io.StringIO = field(default_factory=io.StringIO)

    @property
    def stream(self):
        return self.buffer if self.to_file else sys.stdout

    def write(self, text: str) -> None:
        self.stream.write(text)

    def console(self):
        """A rich Console writing to this sink."""
        return make_console("never" if self.to_file else self.color, file=self.stream)

    def segments(self, lines: list[list[tuple[str, str]]]) -> None:
        """Lines of (text, style) segments, styled only on a colour terminal."""
        print_segments(lines, "never" if self.to_file else self.color, self.stream)


def emit(render, view, *, color: str, output: str | None = None, protect: tuple = ()) -> None:
    """Run a renderer to stdout, or to `output`, written atomically (never over a `protect`ed input)."""
    from modelcfg_cli.files import check_output_path, write_atomic

    if output is None:
        render(view, Sink(color))
        return
    check_output_path(output, protect)
    sink = Sink(color, to_file=True)
    render(view, sink)
    write_atomic(output, sink.buffer.getvalue(), protect=protect)
