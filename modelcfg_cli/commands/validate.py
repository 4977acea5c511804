"""`modelcfg validate`: check configs against the bundled schemas and the graph rules, without Keras."""

from __future__ import annotations

import os

import click

from modelcfg_cli.commands.batch import run_each
from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.errors import SourceError
from modelcfg_cli.findings import WARNING, Finding
from modelcfg_cli.output import make_console
from modelcfg_cli.output.findings import FileReport, render_text, to_github, to_json
from modelcfg_cli.scan import code_warnings
from modelcfg_cli.schemas import UserSchemas, sort_findings, validate_document
from modelcfg_cli.sources import read_document


def check_source(
    source: str,
    strict: bool,
    schema_dirs: tuple[str, ...],
    max_config_bytes: int,
    upgrade: bool = False,
    policies: tuple = (),
) -> FileReport:
    """Read and validate one source (upgraded to Keras 3 first with `upgrade`), with what `scan` finds
    as warnings and the findings of `policies`; an unreadable one becomes a report with `read_error` set."""
    from modelcfg_cli.upgrade import needs_upgrade, upgraded

    try:
        doc = read_document(source, max_config_bytes)
    except SourceError as exc:
        return FileReport(source, read_error=str(exc))
    notes = []
    if upgrade:
        doc = upgraded(doc)
    elif needs_upgrade(doc):
        version = doc.keras_version or "an older Keras"
        notes.append(
            Finding(
                WARNING,
                "",
                f"saved by {version}: checked as stored; --upgrade checks "
                "the Keras 3 config that clone would build",
            )
        )
    findings = validate_document(doc, strict, schema_dirs)
    findings += code_warnings(doc, findings, strict=strict)
    if policies:
        from modelcfg_cli.policies import check_policies

        findings += check_policies(doc, policies)
    return FileReport(source, notes + sort_findings(findings, list(doc.layers())))


def run_checks(sources, options: tuple, jobs: int, color: str) -> list[FileReport]:
    """Every source checked in order, with a progress bar on stderr when it is a terminal."""
    return run_each(check_source, sources, options, jobs=jobs, color=color, label="validating")


@click.command("validate")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--strict", is_flag=True, help="A layer class with no schema is an error, not a warning.")
@click.option(
    "--schema-dir",
    "schema_dirs",
    multiple=True,
    metavar="DIR",
    help="Extra schemas for custom layers: DIR/<registered name or class name>.json (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many files [default: cores]."
)
@click.option(
    "--upgrade", is_flag=True, help="Check a Keras 1/2 config as upgraded to Keras 3 (builtin:keras2)."
)
@click.option(
    "--policy",
    "policy_files",
    multiple=True,
    metavar="FILE",
    help="Team policies to hold each model to (repeatable); `modelcfg schema policy` shows the format.",
)
@max_config_bytes_option
@click.pass_context
def validate(ctx, sources, strict, schema_dirs, fmt, jobs, upgrade, policy_files, max_config_bytes):
    """Check each SOURCE's config: schemas per layer class and the layer graph.

    Exit 0 when no file has an error, 1 when one has, 2 when a file cannot be read
    (the others are still checked and reported).
    """
    UserSchemas(schema_dirs).load_all()
    policies = _load_policies(policy_files)
    options = (strict, tuple(schema_dirs), max_config_bytes, upgrade, policies)
    reports = run_checks(list(sources), options, jobs or os.cpu_count() or 1, color_of(ctx))
    for report in reports:
        if report.read_error is not None:
            click.echo(f"modelcfg: error: {report.read_error}", err=True)
    if fmt == "json":
        click.echo(to_json(reports), nl=False)
    elif fmt == "github":
        click.echo(to_github(reports), nl=False)
    elif fmt == "sarif":
        click.echo(_sarif(reports, policies), nl=False)
    else:
        render_text(reports, make_console(color_of(ctx)))
    if any(r.read_error is not None for r in reports):
        ctx.exit(2)
    ctx.exit(0 if all(r.valid for r in reports) else 1)


def _load_policies(paths) -> tuple:
    if not paths:
        return ()
    from modelcfg_cli.policies import load_policy_files

    return load_policy_files(paths)


def _sarif(reports: list[FileReport], policies: tuple) -> str:
    from modelcfg_cli.output.sarif import to_sarif
    from modelcfg_cli.scan import RULES

    return to_sarif(reports, {**RULES, **{policy.id: policy.describe() for policy in policies}})
