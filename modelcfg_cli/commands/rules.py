"""`modelcfg rules --list`: the built-in rule sets usable as `--rules builtin:NAME`."""

from __future__ import annotations

import json

import click


def describe(target) -> str:
    """The first line of a built-in's docstring, or the bundled rules file's name."""
    doc = getattr(target, "__doc__", None)
    return doc.strip().splitlines()[0] if doc else str(getattr(target, "name", target))


@click.command("rules")
@click.option("--list", "list_builtins", is_flag=True, help="List the built-in rule sets.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(list_builtins, fmt):
    """About rules: `--list` shows the built-in rule sets (`--rules builtin:NAME` on clone)."""
    if not list_builtins:
        click.echo(click.get_current_context().get_help())
        return
    from modelcfg_cli.rules.builtin import BUILTINS

    entries = {name: describe(target) for name, target in sorted(BUILTINS.items())}
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2, sort_keys=True))
        return
    for name, text in entries.items():
        click.echo(f"builtin:{name}  {text}")
