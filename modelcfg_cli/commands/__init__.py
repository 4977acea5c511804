"""One module per `modelcfg` command; `COMMANDS` lists them for the group."""

from modelcfg_cli.commands.dump import dump
from modelcfg_cli.commands.inspect import inspect_command

COMMANDS = [dump, inspect_command]
