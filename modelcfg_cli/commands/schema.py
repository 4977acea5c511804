"""`modelcfg schema`: list and print the bundled JSON Schemas (for editors and other tools)."""

from __future__ import annotations

import click

from modelcfg_cli.commands.common import color_of
from modelcfg_cli.errors import UsageError
from modelcfg_cli.output import emit_data
from modelcfg_cli.schema_store import find_schema, schema_names, schema_text


@click.command("schema")
@click.argument("name", required=False)
@click.option("--list", "list_names", is_flag=True, help="Print the name of every bundled schema.")
@click.pass_context
def schema(ctx, name, list_names):
    """Print the bundled JSON Schema NAME (a layer class such as Conv2D, `model`, or `defs/...`)."""
    if list_names:
        click.echo("\n".join(schema_names()))
        return
    if not name:
        raise UsageError(None, "give a schema NAME or --list")
    emit_data(schema_text(find_schema(name)) or "", "json", color_of(ctx))
