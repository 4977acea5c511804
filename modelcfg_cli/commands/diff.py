"""`modelcfg diff`: what changed between two models, for people and CI."""

from __future__ import annotations

from dataclasses import dataclass

import click

from modelcfg_cli.commands.common import (
    color_of,
    exit_zero_option,
    max_config_bytes_option,
    report_format,
    report_output_option,
    weights_pair_options,
)
from modelcfg_cli.errors import UsageError, exit_code
from modelcfg_cli.output import emit
from modelcfg_cli.output.diff_report import RENDERERS, DiffView
from modelcfg_cli.sources import read_document
from modelcfg_cli.weights.given_file import with_weights_file


@click.command("diff")
@click.argument("source_a", metavar="A")
@click.argument("source_b", metavar="B")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RENDERERS)),
    help="text for people, json for programs, markdown for a pull-request comment (with a Mermaid graph "
    "of the changes), html for one self-contained page [default: from -o FILE's extension, else text].",
)
@click.option("--no-graph", is_flag=True, help="Leave the graph out of markdown and html.")
@report_output_option
@click.option("--stat", is_flag=True, help="Counts only (per layer and per kind of change).")
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="GLOB",
    help="Ignore config fields whose dotted path matches (repeatable), e.g. '*.seed', 'build_config'.",
)
@click.option(
    "--ignore-names",
    is_flag=True,
    help="Match layers by class and position when auto-generated names differ; report no renames.",
)
@click.option(
    "--ignore-new-fields",
    is_flag=True,
    help="A field on one side only whose value is null/false/empty is no difference (fields a newer Keras "
    "adds with their defaults).",
)
@click.option(
    "--weights",
    "with_weights",
    is_flag=True,
    help="Also compare the stored weights tensor by tensor (max abs difference, relative L2 change).",
)
@weights_pair_options
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="List default-only differences too (a field absent on one side, null/false/empty on the other); "
    "without it they are one count line.",
)
@exit_zero_option
@click.option(
    "--emit-rules",
    "rules_out",
    metavar="FILE",
    help="Write a YAML rules file that turns A into B (clone --rules), as far as rules can say it.",
)
@max_config_bytes_option
@click.pass_context
def diff_command(ctx, fmt, ignore, **params):
    """Compare model A with model B: layers matched by name, renames found, field-level changes.

    Any two sources in any format (.keras, .h5, folder, JSON, YAML); the same model in two formats is
    equal. `--weights-a/--weights-b FILE` (which imply `--weights`) read a side's weights from a file
    apart from its model. Exit 0 when equal, 1 when different, 2 on trouble.
    """
    options = DiffCommandOptions(**params, ignore=tuple(ignore))
    fmt = report_format(fmt, options.output, RENDERERS)
    ctx.exit(execute(options, RENDERERS[fmt], color_of(ctx)))


@dataclass(frozen=True)
class DiffCommandOptions:
    """Everything `diff` was asked, parsed."""

    source_a: str
    source_b: str
    stat: bool
    ignore: tuple[str, ...]
    ignore_names: bool
    ignore_new_fields: bool
    with_weights: bool
    weights_a: str | None
    weights_b: str | None
    verbose: bool
    exit_zero: bool
    rules_out: str | None
    max_config_bytes: int
    no_graph: bool
    output: str | None

    @property
    def sources(self) -> tuple[str, str]:
        return self.source_a, self.source_b

    @property
    def weights(self) -> bool:
        """Compare the weights too: `--weights`, or a weights file given for either side."""
        return self.with_weights or bool(self.weights_a or self.weights_b)


def execute(options: DiffCommandOptions, render, color: str) -> int:
    """Read both sources, diff configs (and weights), render, write `--emit-rules`; the exit code."""
    from modelcfg_cli.diffing.diff import DiffOptions, diff, summarize
    from modelcfg_cli.diffing.preset_diff import part_changes

    doc_a, doc_b = _read_both(options)
    diff_options = DiffOptions(options.ignore, options.ignore_names, options.ignore_new_fields)
    changes = diff(doc_a, doc_b, diff_options)
    parts = part_changes(doc_a.path, doc_b.path, diff_options)
    weight_changes = _weight_changes(doc_a, doc_b, changes, diff_options) if options.weights else []
    shown = _shown(changes + parts, options.verbose)
    summary = summarize(shown + weight_changes, doc_a, doc_b)
    summary["default_only"] = len(changes) + len(parts) - len(shown)
    if options.weights:
        summary["weights"] = len(weight_changes)
    view = DiffView(shown + weight_changes, summary, (doc_a, doc_b), options.stat, not options.no_graph)
    emit(render, view, color=color, output=options.output, protect=options.sources)
    if options.rules_out:
        _write_rules(options.rules_out, changes, doc_a, doc_b)
    return exit_code(bool(changes or parts or weight_changes) and not options.exit_zero)


def _read_both(options: DiffCommandOptions):
    from modelcfg_cli.files import check_output_path

    if options.sources == ("-", "-"):
        raise UsageError(None, "A and B cannot both be - (stdin is read once)")
    for path in (options.rules_out, options.output):
        if path:
            check_output_path(path, options.sources)
    doc_a = read_document(options.source_a, options.max_config_bytes)
    doc_b = read_document(options.source_b, options.max_config_bytes)
    return (
        with_weights_file(doc_a, options.weights_a, "--weights-a"),
        with_weights_file(doc_b, options.weights_b, "--weights-b"),
    )


def _shown(changes: list, verbose: bool) -> list:
    """The changes to list: without `--verbose`, default-only ones are folded into a count."""
    from modelcfg_cli.diffing.diff import is_default_only

    return changes if verbose else [change for change in changes if not is_default_only(change)]


def _weight_changes(doc_a, doc_b, changes: list, diff_options) -> list:
    from modelcfg_cli.diffing.diff import paired_names
    from modelcfg_cli.weights.diff import diff_weights

    if diff_options.ignore_names:  # no renames are reported, but layers are paired by position
        renamed = paired_names(doc_a, doc_b, diff_options)
    else:
        renamed = {change.layer: str(change.new) for change in changes if change.kind == "renamed"}
    return diff_weights(doc_a, doc_b, renamed=renamed)


def _write_rules(path: str, changes, doc_a, doc_b) -> None:
    from modelcfg_cli.diffing.emit_rules import emit_rules
    from modelcfg_cli.files import write_atomic
    from modelcfg_cli.output import to_text

    rules, unexpressed = emit_rules(changes, doc_a)
    header = f"# modelcfg diff --emit-rules: turns {doc_a.label} into {doc_b.label}\n"
    write_atomic(path, header + to_text(rules, "yaml"), protect=(doc_a.path, doc_b.path))
    click.echo(f"modelcfg: wrote {len(rules['rules'])} rule(s) to {path}", err=True)
    for line in unexpressed:
        click.echo(f"modelcfg: not expressible as a rule: {line}", err=True)
