"""The `modelcfg` command group: global options, error handling, and command registration."""

from __future__ import annotations

import difflib
import gc
import importlib
import sys
import traceback

import click

from modelcfg_cli.commands import COMMANDS
from modelcfg_cli.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_TROUBLE, ModelcfgError
from modelcfg_cli.version import version_text

# `modelcfg` alone prints the help (click >= 8.2 raises it as a usage error): kept as click shows it
NO_ARGS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ModelcfgGroup(click.Group):
    """A group that loads each command's module on demand and turns every failure into one line on
    stderr: exit 2 for errors (usage, input, internal), 130 for Ctrl-C; a reader that closes the pipe
    (`| head`) ends the command quietly."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's `main`, with every usage error as one line (`modelcfg: error: ...`, exit 2)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except NO_ARGS_HELP as exc:
            exc.show()
            code = exc.exit_code
        except click.UsageError as exc:
            click.echo(f"modelcfg: error: {usage_line(exc)}", err=True)
            code = EXIT_TROUBLE
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except click.Abort:
            click.echo("modelcfg: interrupted", err=True)
            code = EXIT_INTERRUPTED
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        if name not in COMMANDS and not name.startswith("-") and close:
            ctx.fail(f"no such command {name!r} (did you mean {close[0]!r}?)")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ModelcfgError as exc:
            _fail(ctx, f"modelcfg: error: {exc}")
        except KeyboardInterrupt:
            _fail(ctx, "modelcfg: interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:  # the reader has gone (`| head`): nothing to say to anyone
            ctx.exit(EXIT_TROUBLE)
        except OSError as exc:  # a file the system would not read or write: name it, as errors do
            if exc.filename is None:
                _fail(ctx, f"modelcfg: internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
            _fail(ctx, f"modelcfg: error: {exc.filename}: {exc.strerror or exc}")
        except Exception as exc:  # an internal error: still one line unless --debug
            _fail(ctx, f"modelcfg: internal error: {type(exc).__name__}: {exc} (rerun with --debug)")


def usage_line(exc: click.UsageError) -> str:
    """Click's usage error on one line: `no such option '--fromat' (did you mean '--format'?)`."""
    if isinstance(exc, click.NoSuchOption):
        close = " or ".join(repr(name) for name in exc.possibilities or ())
        return f"no such option {exc.option_name!r}" + (f" (did you mean {close}?)" if close else "")
    text = " ".join(exc.format_message().split()).rstrip(".")
    if text[:2].istitle():
        text = text[0].lower() + text[1:]
    return text


def _fail(ctx: click.Context, line: str, code: int = EXIT_TROUBLE):
    if (ctx.obj or {}).get("debug"):
        traceback.print_exc()
    click.echo(line.splitlines()[0] if line else line, err=True)
    ctx.exit(code)


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(cls=ModelcfgGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show modelcfg's and Keras's versions and exit.",
)
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour output (NO_COLOR is honoured in auto).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, color: str) -> None:
    """Inspect, validate, scan, diff, clone and compare saved Keras models.

    Reads .keras zips, model folders, legacy .h5 files, tf.keras SavedModel folders and
    get_config()/to_json() JSON or YAML (or - for stdin) without importing Keras; only clone and
    compare import it. Exit codes: 0 fine, 1 a check found something, 2 usage or input error,
    130 interrupted.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(debug=debug, color=color)


def main() -> None:
    """Console-script entry point."""
    # A config of 10,000 layers is millions of small dicts and lists and no reference cycles: with the
    # default thresholds the cyclic collector runs thousands of times and takes half the run.
    gc.set_threshold(100_000, 50, 1000)
    cli(prog_name="modelcfg")
