"""Gather persona files from the built-in, user and extra folders into a library, skipping bad files
with a one-line warning; a later folder's persona replaces an earlier one with the same id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.domain import Persona
from simulator.errors import PersonaError
from simulator.personas.persona_file import FileCheck, check_persona_file
from simulator.personas.problems import errors
from simulator.personas.schema import PersonaDocument

PERSONA_SUFFIXES = (".yaml", ".yml")


def persona_document(path: Path) -> PersonaDocument:
    """The persona and its card details, or PersonaError naming the first problem."""
    check = check_persona_file(path)
    if check.document is None:
        raise _first_error(check)
    return check.document


def load_persona_file(path: Path) -> Persona:
    return persona_document(path).persona


def _first_error(check: FileCheck) -> PersonaError:
    found = errors(check.problems)
    first = found[0]
    fix = first.fix
    if len(found) > 1:
        fix += f" ({len(found) - 1} more: run `rehearse persona check {check.path}`)"
    return PersonaError(first.format(str(check.path)).removesuffix(f" — {first.fix}"), fix)


def persona_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in PERSONA_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class PersonaSource:
    """A folder or file to load personas from, and what kind of place it is."""

    path: Path
    kind: str = "extra"
    """'built-in', 'user', '--personas' or 'extra'; shown by `persona list`."""
    required: bool = False
    """Warn when the path does not exist (true for paths the user named)."""


@dataclass(frozen=True)
class LibraryEntry:
    persona: Persona
    kind: str
    replaced: tuple[tuple[str, str], ...] = ()
    """(kind, file) of each persona with the same id that this one replaced."""


@dataclass
class PersonaLibrary:
    """Personas by id, in the order found; later folders replace earlier ones with the same id."""

    entries: dict[str, LibraryEntry] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def personas(self) -> dict[str, Persona]:
        return {persona_id: entry.persona for persona_id, entry in self.entries.items()}

    def get(self, persona_id: str) -> Persona:
        try:
            return self.entries[persona_id].persona
        except KeyError:
            known = ", ".join(self.entries) or "none"
            raise PersonaError(f"no persona with id '{persona_id}'", f"choose one of: {known}") from None

    def add(self, persona: Persona, kind: str) -> None:
        before = self.entries.get(persona.id)
        replaced = (*before.replaced, (before.kind, before.persona.source)) if before else ()
        self.entries[persona.id] = LibraryEntry(persona, kind, replaced)

    def __iter__(self):
        return (entry.persona for entry in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def load_library(sources: Iterable[Path | PersonaSource]) -> PersonaLibrary:
    library = PersonaLibrary()
    for source in sources:
        if not isinstance(source, PersonaSource):
            source = PersonaSource(Path(source))
        if source.path.is_dir():
            files = persona_files(source.path)
        elif source.path.is_file():
            files = [source.path]
        else:
            if source.required:
                library.warnings.append(f"{source.path}: not found — check the {source.kind} path")
            continue
        for path in files:
            try:
                persona = load_persona_file(path)
            except PersonaError as error:
                library.warnings.append(str(error))
                continue
            library.add(persona, source.kind)
    return library
