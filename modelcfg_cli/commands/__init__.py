"""One module per `modelcfg` command; `COMMANDS` lists them for the group."""

from modelcfg_cli.commands.clone import clone_command
from modelcfg_cli.commands.diff import diff_command
from modelcfg_cli.commands.dump import dump
from modelcfg_cli.commands.inspect import inspect_command
from modelcfg_cli.commands.rules import rules_command
from modelcfg_cli.commands.schema import schema
from modelcfg_cli.commands.validate import validate

COMMANDS = [dump, inspect_command, validate, schema, diff_command, clone_command, rules_command]
