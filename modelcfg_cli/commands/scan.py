"""`modelcfg scan`: what in a model file runs code or reaches outside Keras when loaded, without Keras."""

from __future__ import annotations

import os

import click

from modelcfg_cli.commands.common import (
    color_of,
    max_config_bytes_option,
    report_format,
    report_options,
    report_read_errors,
    weights_option,
)
from modelcfg_cli.errors import UsageError, exit_code
from modelcfg_cli.output import emit
from modelcfg_cli.output.findings import RENDERERS, SCAN_WORDS, FindingsView
from modelcfg_cli.output.progress import progress


@click.command("scan")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--strict", is_flag=True, help="Every finding is an error (custom classes included).")
@report_options(RENDERERS)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many files [default: cores]."
)
@weights_option
@max_config_bytes_option
@click.pass_context
def scan_command(ctx, sources, strict, fmt, output, exit_zero, jobs, weights_file, max_config_bytes):
    """Find what in each SOURCE runs code or reaches outside Keras when it is loaded.

    Lambda layers, functions and classes from outside Keras, layers that load outside graphs
    (TFSMLayer, TorchModuleWrapper, JaxLayer, FlaxLayer), custom registered classes, and files
    in a .keras archive that Keras does not write (pickles, nested archives), at any depth,
    compile config included. Nothing is imported, unpickled or unmarshalled. `--weights FILE` (with
    one SOURCE) checks a weights file given apart from the model too: not HDF5, a pickle, object data.

    Exit 0 when no file has an error-level finding, 1 when one has, 2 when a file cannot
    be read (the others are still scanned and reported).
    """
    from modelcfg_cli.scan import RULES, ScanOptions, scan_sources

    fmt = report_format(fmt, output, RENDERERS)
    if weights_file and len(sources) != 1:
        raise UsageError(None, f"--weights goes with exactly one SOURCE ({len(sources)} given)")
    color = color_of(ctx)
    with progress("scanning", len(sources), color) as done:
        options = ScanOptions(strict, max_config_bytes, weights_file)
        reports = scan_sources(list(sources), options, jobs=jobs or os.cpu_count() or 1, done=done)
    view = FindingsView(reports, SCAN_WORDS, RULES)
    emit(RENDERERS[fmt], view, color=color, output=output, protect=tuple(sources))
    report_read_errors(ctx, reports)
    ctx.exit(exit_code(not all(r.valid for r in reports) and not exit_zero))
