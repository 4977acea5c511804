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

BASELINE = click.Path(dir_okay=False)


@click.command("scan")
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option("--strict", is_flag=True, help="Every finding is an error (custom classes included).")
@report_options(RENDERERS)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes [default: one per core when the files are big enough to pay for a pool].",
)
@click.option(
    "--ignore",
    "ignores",
    multiple=True,
    metavar="RULE[:PATH-GLOB]",
    help="Drop findings of RULE (in files or archive members matching the glob). Repeatable.",
)
@click.option("--baseline", type=BASELINE, help="Drop the findings accepted in this baseline file.")
@click.option("--write-baseline", type=BASELINE, help="Accept every finding: write them to this file.")
@click.option("--explain", metavar="RULE", help="Explain a rule (what it finds, Keras versions, CVEs).")
@weights_option
@max_config_bytes_option
@click.pass_context
def scan_command(ctx, sources, strict, fmt, jobs, ignores, baseline, write_baseline, explain, **rest):
    """Find what in each SOURCE runs code or reaches outside Keras when it is loaded.

    Lambda layers, functions and classes from outside Keras, layers that load outside graphs
    (TFSMLayer, TorchModuleWrapper, JaxLayer, FlaxLayer), custom registered classes, and files
    in a .keras archive that Keras does not write (pickles, with the callables they import,
    numpy object arrays, Python source, nested archives), at any depth, compile config
    included. Nothing is imported, unpickled or unmarshalled. `--weights FILE` (with one
    SOURCE) checks a weights file given apart from the model too.

    `--ignore RULE[:PATH-GLOB]` and `--baseline FILE` drop accepted findings (counted as
    suppressed); `--write-baseline FILE` records every current finding as accepted.

    Exit 0 when no file has an error-level finding left, 1 when one has, 2 when a file cannot
    be read (the others are still scanned and reported).
    """
    from modelcfg_cli.scan.batch import ScanOptions, scan_sources
    from modelcfg_cli.scan.model import RULES

    if explain is not None:
        _explain(explain, RULES)
        return
    if not sources:
        raise UsageError(None, "scan needs at least one SOURCE (or --explain RULE)")
    weights_file, max_config_bytes = rest["weights_file"], rest["max_config_bytes"]
    fmt = report_format(fmt, rest["output"], RENDERERS)
    if weights_file and len(sources) != 1:
        raise UsageError(None, f"--weights goes with exactly one SOURCE ({len(sources)} given)")
    accepted = _accepted(ignores, baseline, RULES)
    color = color_of(ctx)
    with progress("scanning", len(sources), color) as done:
        hashes = fmt in ("json", "sarif") or bool(baseline or write_baseline)
        options = ScanOptions(strict, max_config_bytes, weights_file, hashes)
        reports = scan_sources(list(sources), options, jobs=_jobs(jobs, sources), done=done)
    reports = _suppressed(reports, accepted, write_baseline)
    view = FindingsView(reports, SCAN_WORDS, RULES)
    emit(RENDERERS[fmt], view, color=color, output=rest["output"], protect=tuple(sources))
    report_read_errors(ctx, reports)
    ctx.exit(exit_code(not all(r.valid for r in reports) and not rest["exit_zero"]))


def _explain(rule: str, rules: dict) -> None:
    from modelcfg_cli.scan.explain import explain

    if rule not in rules:
        raise UsageError(None, f"--explain {rule!r}: no scan rule by that name (rules: {', '.join(rules)})")
    click.echo(explain(rule), nl=False)


def _jobs(jobs: int | None, sources) -> int:
    from modelcfg_cli.scan.jobs import auto_jobs

    return jobs if jobs is not None else auto_jobs(list(sources), os.cpu_count())


def _accepted(ignores, baseline, rules) -> tuple:
    """The parsed `--ignore`s and the loaded `--baseline`, checked before any model is read."""
    from modelcfg_cli.scan.suppress import load_baseline, parse_ignore

    return [parse_ignore(text, rules) for text in ignores], load_baseline(baseline) if baseline else None


def _suppressed(reports, accepted, write_baseline):
    """The reports without ignored and accepted findings; with `--write-baseline`, every finding left
    after `--ignore` is written to that file and so accepted."""
    from modelcfg_cli.scan.suppress import suppress
    from modelcfg_cli.scan.suppress import write_baseline as write

    ignores, baseline = accepted
    reports = suppress(reports, ignores)
    if write_baseline:
        baseline = write(write_baseline, reports)
    return suppress(reports, (), baseline) if baseline is not None else reports
