"""The exit-code contract, written once, and the errors that end a command with one line on stderr.

Like diff(1) and linters: 0 fine, 1 a check found something, 2 trouble (usage, unreadable input, an
internal error). Ctrl-C ends with 130.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_TROUBLE = 2
EXIT_INTERRUPTED = 130


def exit_code(found: bool) -> int:
    """`EXIT_FOUND` when a check found something, else `EXIT_OK`."""
    return EXIT_FOUND if found else EXIT_OK


class ModelcfgError(Exception):
    """A problem the user can fix; `str()` is the whole one-line message."""

    def __init__(self, where: str | None, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self):  # raised in a `validate -j` worker, rebuilt in the parent
        return type(self), (self.where, self.message)


class SourceError(ModelcfgError):
    """A model source that cannot be read or is not a Keras model config."""


class UsageError(ModelcfgError):
    """Options that do not fit together, or a name that does not exist."""


class RulesError(ModelcfgError):
    """A rules file that cannot be parsed or applied; `where` is `file:line`."""


class CloneError(ModelcfgError):
    """Keras could not instantiate, save or reload the rewritten model."""


class CloneRefused(CloneError):
    """The rewritten model failed a check (invalid config, strict rule, reload mismatch, a weight
    `--keep-weights` would lose): exit 1, nothing written."""

    def __init__(self, where: str | None, message: str, problems: list[str]):
        super().__init__(where, message)
        self.problems = problems


class UpgradeRefused(SourceError):
    """A legacy model the Keras 3 upgrade cannot express (e.g. a TensorFlow op no built-in layer computes)."""
