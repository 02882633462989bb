"""Read persona files from disk and gather them into a library, skipping bad files with a warning."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from simulator.domain import Persona
from simulator.errors import PersonaError
from simulator.personas.schema import persona_from_data

PERSONA_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 256 * 1024


def load_persona_file(path: Path) -> Persona:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PersonaError(f"{path}: cannot read ({error.strerror})", "check the path and its permissions") from None
    if len(raw) > MAX_FILE_BYTES:
        raise PersonaError(f"{path}: file is {len(raw)} bytes", f"keep persona files under {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PersonaError(f"{path}: not UTF-8 text", "save the file as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise PersonaError(f"{where}: {problem}", "fix the YAML syntax on that line") from None
    if data is None:
        raise PersonaError(f"{path}: file is empty", "start from `rehearse persona new` or docs/personas.md")
    return persona_from_data(data, str(path))


def persona_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in PERSONA_SUFFIXES and p.is_file())


@dataclass
class PersonaLibrary:
    """Personas by id, in the order found; later folders replace earlier ones with the same id."""

    personas: dict[str, Persona] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, persona_id: str) -> Persona:
        try:
            return self.personas[persona_id]
        except KeyError:
            known = ", ".join(self.personas) or "none"
            raise PersonaError(f"no persona with id '{persona_id}'", f"choose one of: {known}") from None

    def __iter__(self):
        return iter(self.personas.values())

    def __len__(self) -> int:
        return len(self.personas)


def load_library(sources: list[Path]) -> PersonaLibrary:
    library = PersonaLibrary()
    for source in sources:
        if source.is_dir():
            files = persona_files(source)
        elif source.is_file():
            files = [source]
        else:
            continue
        for path in files:
            try:
                persona = load_persona_file(path)
            except PersonaError as error:
                library.warnings.append(str(error))
                continue
            library.personas[persona.id] = persona
    return library
