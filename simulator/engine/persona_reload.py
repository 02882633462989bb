"""`persona try`: watch a persona file and swap a running session's persona when the file changes.

The watch polls the file's modification time and size (no file-system events, so no extra
dependency); whoever owns a timer calls `poll` about once a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.domain import Persona
from simulator.engine.session import SessionEngine
from simulator.errors import PersonaError
from simulator.personas.loader import load_persona_file


@dataclass(frozen=True)
class Reloaded:
    persona: Persona


@dataclass(frozen=True)
class ReloadFailed:
    problem: str
    """The first problem, one line: what is wrong — how to fix it."""


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class PersonaFileWatch:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = _signature(path)

    def load(self) -> Persona:
        """The persona the file holds now; PersonaError (one line) when it is invalid."""
        return load_persona_file(self.path)

    def poll(self) -> Reloaded | ReloadFailed | None:
        """None while the file is unchanged; else the persona it now holds, or why it cannot be used."""
        signature = _signature(self.path)
        if signature == self._seen:
            return None
        self._seen = signature
        if signature is None:
            return ReloadFailed(f"{self.path.name}: the file is gone — put it back to keep editing the persona")
        try:
            return Reloaded(self.load())
        except PersonaError as error:
            # Shown in a narrow notification: the file's name is enough there.
            return ReloadFailed(str(error).replace(str(self.path), self.path.name, 1))


def replace_persona(engine: SessionEngine, persona: Persona) -> None:
    """From the next reply on, the client plays `persona`; the transcript and hidden state stay."""
    engine.replace_persona(persona)