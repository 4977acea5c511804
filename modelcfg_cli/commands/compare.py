"""`modelcfg compare`: run two saved models on the same inputs and report how far their outputs differ."""

from __future__ import annotations

import click

from modelcfg_cli.commands.common import (
    color_of,
    max_config_bytes_option,
    report_format,
    report_options,
    weights_pair_options,
)
from modelcfg_cli.errors import exit_code
from modelcfg_cli.keras_side.backend import BACKENDS
from modelcfg_cli.output import emit
from modelcfg_cli.output.compare_report import RENDERERS

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


@click.command("compare")
@click.argument("a")
@click.argument("b")
@with_tolerance_options
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated inputs.")
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Batch size of generated inputs.",
)
@click.option(
    "--inputs", "inputs_file", metavar="FILE.npz", help="Feed these arrays (named after A's inputs) instead."
)
@report_options(RENDERERS)
@click.option(
    "--import", "imports", multiple=True, metavar="MODULE", help="Import MODULE first (custom classes)."
)
@click.option("--unsafe", is_flag=True, help="Allow Lambda layers (runs Python bytecode from the files).")
@click.option(
    "--backend", type=click.Choice(BACKENDS), help="Keras backend [default: KERAS_BACKEND, else fastest]."
)
@weights_pair_options
@max_config_bytes_option
@click.pass_context
def compare_command(ctx, a, b, fmt, output, exit_zero, imports, weights_a, weights_b, **params):
    """Run models A and B on the same inputs and compare their outputs.

    Both are loaded in Keras (a Keras 1/2 file is upgraded and given its weights as `clone` does). An
    element is within tolerance when |A-B| <= atol + rtol * |A| (numpy.allclose, A the reference); a
    NaN in either output is a difference. `--weights-a/--weights-b FILE` give a side's weights as a
    file apart from its model (`model.json` + `save_weights()` output): every tensor must fit. Exit 0
    when every output is within tolerance, 1 when one is not, 2 when the models cannot be compared
    (inputs or outputs differ in number or shape).
    """
    from modelcfg_cli.keras_side.compare import CompareOptions, compare

    fmt = report_format(fmt, output, RENDERERS)
    options = CompareOptions(**params, imports=tuple(imports), weights=(weights_a, weights_b))
    result = compare(a, b, options)
    for note in result.notes:
        click.echo(note, err=True)
    emit(RENDERERS[fmt], result, color=color_of(ctx), output=output, protect=(a, b))
    ctx.exit(exit_code(not result.equal and not exit_zero))


def check_clone(source, out, atol, rtol, unsafe, max_config_bytes, quiet_stdout: bool) -> int:
    """`clone --check`: compare SOURCE with the clone just written to OUT; the exit code to end with.

    Within tolerance: a line (on stderr when stdout carries JSON), exit 0. Beyond it: one error line, exit
    1. When the two cannot be compared (e.g. a rule changed an output's shape): one error line, exit 2.
    The clone is kept in every case."""
    from modelcfg_cli.errors import EXIT_TROUBLE, ModelcfgError
    from modelcfg_cli.keras_side.compare import CompareOptions, compare
    from modelcfg_cli.output.compare_report import check_line

    options = CompareOptions(atol, rtol, unsafe=unsafe, max_config_bytes=max_config_bytes)
    try:
        result = compare(source, out, options)
    except ModelcfgError as exc:
        click.echo(f"modelcfg: error: wrote {out}; cannot check it: {exc}", err=True)
        return EXIT_TROUBLE
    if result.equal:
        click.echo(check_line(result), err=quiet_stdout)
    else:
        click.echo(f"modelcfg: error: wrote {out}; {check_line(result)}", err=True)
    return exit_code(not result.equal)
