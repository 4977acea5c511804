"""Options and helpers shared by several commands."""

from __future__ import annotations

import click

from modelcfg_cli.errors import EXIT_TROUBLE
from modelcfg_cli.sources import DEFAULT_MAX_CONFIG_BYTES

max_config_bytes_option = click.option(
    "--max-config-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_CONFIG_BYTES,
    show_default=True,
    help="Refuse a config (or zip member) larger than this, before decompressing it.",
)


def color_of(ctx: click.Context) -> str:
    """The `--color` choice given to the group."""
    return (ctx.obj or {}).get("color", "auto")


weights_option = click.option(
    "--weights",
    "weights_file",
    metavar="FILE",
    help="Read the weights from FILE (save_weights() output: .weights.h5, a Keras 2 .h5) instead of SOURCE.",
)


def weights_pair_options(command):
    """`--weights-a FILE` and `--weights-b FILE` (dests `weights_a`, `weights_b`): A's and B's weights
    from a file apart from the model (`compare`, `diff`)."""
    for side in ("b", "a"):
        command = click.option(
            f"--weights-{side}",
            f"weights_{side}",
            metavar="FILE",
            help=f"Read {side.upper()}'s weights from FILE (save_weights() output), not from the model.",
        )(command)
    return command


def report_read_errors(ctx: click.Context, reports) -> None:
    """One `modelcfg: error:` line per source that could not be read, then exit 2 if there was one."""
    unreadable = [report for report in reports if report.read_error is not None]
    for report in unreadable:
        click.echo(f"modelcfg: error: {report.read_error}", err=True)
    if unreadable:
        ctx.exit(EXIT_TROUBLE)


tolerance_options = (
    click.option(
        "--atol",
        type=click.FloatRange(min=0),
        help="Absolute tolerance [default: 1e-5 for float32, 1e-3 float16, 1e-2 bfloat16].",
    ),
    click.option(
        "--rtol",
        type=click.FloatRange(min=0),
        help="Relative tolerance, times |A| [default: 1e-4 for float32, 1e-2 float16, 5e-2 bfloat16].",
    ),
)


def with_tolerance_options(command):
    """Add `--atol` and `--rtol` (shared with `clone --check`)."""
    for option in reversed(tolerance_options):
        command = option(command)
    return command


REPORT_SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".md": "markdown", ".sarif": "sarif"}
REPORT_SUFFIXES.update({".txt": "text", ".text": "text", ".yaml": "yaml", ".yml": "yaml"})


def report_output_option(command):
    """`-o/--output FILE` for a report; its extension picks `--format` when that is not given."""
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write the report to FILE (atomically), not stdout; the format is --format, else FILE's "
        "extension (.json, .html, .md, .sarif, .txt).",
    )(command)


def exit_zero_option(command):
    """`--exit-zero`: report what was found but exit 0 (2 still means trouble)."""
    return click.option(
        "--exit-zero", is_flag=True, help="Exit 0 even when something is found (trouble still exits 2)."
    )(command)


def report_options(choices, help_text: str = ""):
    """`--format` (no fixed default: `-o FILE`'s extension, else text), `-o FILE` and `--exit-zero`."""

    def add(command):
        command = exit_zero_option(report_output_option(command))
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            help=f"{help_text} [default: from -o FILE's extension, else text]".lstrip(),
        )(command)

    return add


def report_format(fmt: str | None, output: str | None, choices) -> str:
    """`--format`, else the format OUTPUT's extension names among `choices`, else text; a `--format` that
    contradicts the extension is refused, as `dump` refuses one."""
    from modelcfg_cli.errors import UsageError
    from modelcfg_cli.files import check_output_path, format_by_extension

    implied = format_by_extension(output, REPORT_SUFFIXES)
    implied = implied if implied in choices else None
    if fmt and implied and fmt != implied:
        raise UsageError(output, f"--format {fmt} contradicts the extension (a {implied} file name)")
    if output:
        check_output_path(output)
    return fmt or implied or "text"
