"""`modelcfg validate`: check configs against the bundled schemas, the graph rules and team policies,
without Keras."""

from __future__ import annotations

import os

import click

from modelcfg_cli.checks.user_schemas import UserSchemas
from modelcfg_cli.checks.validate import ValidateOptions, check_sources
from modelcfg_cli.commands.common import (
    color_of,
    max_config_bytes_option,
    report_format,
    report_options,
    report_read_errors,
)
from modelcfg_cli.errors import exit_code
from modelcfg_cli.output import emit
from modelcfg_cli.output.findings import RENDERERS, FindingsView
from modelcfg_cli.output.progress import progress


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
@report_options(RENDERERS)
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
def validate(ctx, sources, strict, schema_dirs, fmt, output, exit_zero, policy_files, **params):
    """Check each SOURCE's config: schemas per layer class, the layer graph, code-bearing places (as
    warnings) and --policy rules.

    Exit 0 when no file has an error, 1 when one has, 2 when a file cannot be read
    (the others are still checked and reported).
    """
    fmt = report_format(fmt, output, RENDERERS)
    UserSchemas(schema_dirs).load_all()
    policies = _load_policies(policy_files)
    limit, upgrade = params["max_config_bytes"], params["upgrade"]
    options = ValidateOptions(strict, tuple(schema_dirs), limit, upgrade, policies)
    color = color_of(ctx)
    with progress("validating", len(sources), color) as done:
        reports = check_sources(list(sources), options, jobs=params["jobs"] or os.cpu_count() or 1, done=done)
    view = FindingsView(reports, rules=_rule_descriptions(policies))
    emit(RENDERERS[fmt], view, color=color, output=output, protect=tuple(sources))
    report_read_errors(ctx, reports)
    ctx.exit(exit_code(not all(r.valid for r in reports) and not exit_zero))


def _load_policies(paths) -> tuple:
    if not paths:
        return ()
    from modelcfg_cli.checks.policies import load_policy_files

    return load_policy_files(paths)


def _rule_descriptions(policies: tuple) -> dict[str, str]:
    from modelcfg_cli.scan.model import RULES

    return {**RULES, **{policy.id: policy.describe() for policy in policies}}
