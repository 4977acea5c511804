"""`modelcfg rules --list`: the layer actions of the rules language and the built-in rule sets usable as
`--rules builtin:NAME`."""

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
    """About rules: `--list` shows the layer actions and the built-in rule sets (`--rules builtin:NAME`)."""
    if not list_builtins:
        click.echo(click.get_current_context().get_help())
        return
    from modelcfg_cli.rules.builtin import BUILTINS
    from modelcfg_cli.rules.registry import ACTIONS

    builtins = {name: describe(target) for name, target in sorted(BUILTINS.items())}
    actions = {name: action.help for name, action in ACTIONS.items()}
    if fmt == "json":
        click.echo(json.dumps({"actions": actions, "builtins": builtins}, indent=2, sort_keys=True))
        return
    width = max(map(len, actions))
    click.echo("layer actions (in a rule, after match:):")
    for name, text in actions.items():
        click.echo(f"  {name.ljust(width)}  {text}")
    click.echo("built-in rule sets (--rules builtin:NAME):")
    for name, text in builtins.items():
        click.echo(f"  builtin:{name}  {text}")
