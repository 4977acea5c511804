"""`modelcfg git-setup`: make `git diff` and `git log -p` show model files as text."""

from __future__ import annotations

import click

from modelcfg_cli.diffing.git_setup import DEFAULT_COMMAND


@click.command("git-setup")
@click.option(
    "--global",
    "global_scope",
    is_flag=True,
    help="Set it up for every repository of this user (global attributes file and ~/.gitconfig).",
)
@click.option(
    "--command",
    "command",
    default=DEFAULT_COMMAND,
    show_default=True,
    help="The textconv command git runs, e.g. '/path/to/venv/bin/modelcfg textconv' when modelcfg is "
    "not on git's PATH.",
)
@click.option(
    "-C",
    "where",
    default=".",
    metavar="DIR",
    help="Run as if started in DIR (the repository to set up).",
)
def git_setup_command(global_scope, command, where):
    """Mark *.keras, *.h5 and *.hdf5 with `diff=modelcfg` in .gitattributes and set
    diff.modelcfg.textconv (and cachetextconv) in the repository's git config (--global: the user's).

    Idempotent: existing lines are kept; a second run changes nothing and says so.
    """
    from modelcfg_cli.diffing.git_setup import GitSetupOptions, git_setup

    done = git_setup(GitSetupOptions(global_scope, command, where))
    for line in done:
        click.echo(f"modelcfg: {line}")
    if not done:
        click.echo("modelcfg: nothing to change: git already shows model files through modelcfg textconv")
