"""Make `git diff` show model files as text: the `diff=modelcfg` attributes and the `diff.modelcfg` driver.

For one repository (its `.gitattributes` and `.git/config`) or, with `global_scope`, for the user (the
global attributes file and `~/.gitconfig`). Idempotent: existing lines are kept, nothing is written when
everything is in place. git itself is called to read and write its config.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from modelcfg_cli.errors import UsageError

PATTERNS = ("*.keras", "*.h5", "*.hdf5")
DRIVER = "modelcfg"
DEFAULT_COMMAND = "modelcfg textconv"


@dataclass(frozen=True)
class GitSetupOptions:
    """`global_scope`: the user's config instead of the repository's; `command`: the textconv command
    (e.g. `/path/to/venv/bin/modelcfg textconv`); `where`: the folder to run git in."""

    global_scope: bool = False
    command: str = DEFAULT_COMMAND
    where: str = "."


def git_setup(options: GitSetupOptions) -> list[str]:
    """Write what is missing; return one line per change made (empty when all was in place)."""
    scope = ["--global"] if options.global_scope else ["--local"]
    attributes = _attributes_file(options)
    done = _add_attribute_lines(attributes)
    for key, value in (("textconv", options.command), ("cachetextconv", "true")):
        name = f"diff.{DRIVER}.{key}"
        current = _git(options.where, "config", *scope, "--get", name, check=False)
        if current != value:
            _git(options.where, "config", *scope, name, value)
            done.append(
                f"git config {scope[0]} {name} = {value!r}" + (f" (was {current!r})" if current else "")
            )
    return done


def _attributes_file(options: GitSetupOptions) -> Path:
    """The repository's `.gitattributes`, or the user's global attributes file."""
    if not options.global_scope:
        return Path(_git(options.where, "rev-parse", "--show-toplevel")) / ".gitattributes"
    configured = _git(options.where, "config", "--global", "--get", "core.attributesFile", check=False)
    if configured:
        return Path(os.path.expanduser(configured))
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "git" / "attributes"


def _add_attribute_lines(path: Path) -> list[str]:
    """Append the `PATTERN diff=modelcfg` lines the file lacks, keeping every line it has."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        present = {line.strip() for line in text.splitlines()}
        missing = [f"{p} diff={DRIVER}" for p in PATTERNS if f"{p} diff={DRIVER}" not in present]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            separator = "\n" if text and not text.endswith("\n") else ""
            path.write_text(text + separator + "".join(line + "\n" for line in missing), encoding="utf-8")
    except OSError as exc:
        raise UsageError(str(path), f"cannot update the attributes file ({exc.strerror or exc})") from exc
    return [f"{path}: added {line}" for line in missing]


def _git(where: str, *args: str, check: bool = True) -> str:
    """git's stdout, stripped; a failure is one line (git missing, not a repository, ...)."""
    try:
        proc = subprocess.run(["git", "-C", where, *args], capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise UsageError(None, "git is not installed (or not on PATH)") from exc
    if proc.returncode != 0 and check:
        message = (proc.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1]
        raise UsageError(os.path.abspath(where), message.removeprefix("fatal: "))
    return proc.stdout.strip() if proc.returncode == 0 else ""
