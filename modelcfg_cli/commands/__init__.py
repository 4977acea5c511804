"""One module per `modelcfg` command. `COMMANDS` maps each name to `module:attribute`; the group imports a
command's module only when that command runs (or for `--help`), so each command starts with what it needs."""

COMMANDS = {
    "dump": "modelcfg_cli.commands.dump:dump",
    "inspect": "modelcfg_cli.commands.inspect:inspect_command",
    "validate": "modelcfg_cli.commands.validate:validate",
    "scan": "modelcfg_cli.commands.scan:scan_command",
    "schema": "modelcfg_cli.commands.schema:schema",
    "diff": "modelcfg_cli.commands.diff:diff_command",
    "clone": "modelcfg_cli.commands.clone:clone_command",
    "rules": "modelcfg_cli.commands.rules:rules_command",
    "textconv": "modelcfg_cli.commands.textconv:textconv_command",
    "git-setup": "modelcfg_cli.commands.git_setup:git_setup_command",
    "compare": "modelcfg_cli.commands.compare:compare_command",
}
