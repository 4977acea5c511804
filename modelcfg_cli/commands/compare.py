"""`modelcfg compare`: run two saved models on the same inputs and report how far their outputs differ."""

from __future__ import annotations

import click

from modelcfg_cli.commands.common import (
    color_of,
    max_config_bytes_option,
    report_format,
    report_options,
    weights_pair_options,
    with_tolerance_options,
)
from modelcfg_cli.errors import exit_code
from modelcfg_cli.keras_side.backend import BACKENDS
from modelcfg_cli.output import emit
from modelcfg_cli.output.compare_report import RENDERERS


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
