"""One family of errors whose text is shown to the user as it is: what went wrong, how to fix it."""

from __future__ import annotations


class RehearseError(Exception):
    """An error the user can act on. `str(error)` is one line: what happened — what to do."""

    exit_code = 1
    """A failure while running; 2 is for usage: a flag, setting, file or name given wrongly."""

    def __init__(self, what: str, fix: str = "") -> None:
        self.what = what
        self.fix = fix
        super().__init__(f"{what} — {fix}" if fix else what)


class ConfigError(RehearseError):
    """A setting, flag or config file is wrong."""

    exit_code = 2


class PersonaError(RehearseError):
    """A persona file is missing or invalid."""

    exit_code = 2


class PromptError(RehearseError):
    """A prompt template is missing or uses a value it was not given."""


class ModelError(RehearseError):
    """A model endpoint failed, or answered with something unusable."""


class StorageError(RehearseError):
    """A saved session could not be read or written."""


class SessionNameError(StorageError):
    """The session named or given is not one to use: an unknown or ambiguous id, an id already
    taken, a file that is not a session export."""

    exit_code = 2
