"""Errors that end a command with exit code 2 and one line on stderr."""

from __future__ import annotations


class ModelcfgError(Exception):
    """A problem the user can fix; `str()` is the whole one-line message."""

    def __init__(self, where: str | None, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class SourceError(ModelcfgError):
    """A model source that cannot be read or is not a Keras model config."""


class UsageError(ModelcfgError):
    """Options that do not fit together, or a name that does not exist."""


class RulesError(ModelcfgError):
    """A rules file that cannot be parsed or applied; `where` is `file:line`."""


class CloneError(ModelcfgError):
    """Keras could not instantiate, save or reload the rewritten model."""
