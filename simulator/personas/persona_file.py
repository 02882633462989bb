"""Read and fully check one persona file: every problem, each with its line, and the persona when valid."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.personas.problems import Problem, errors, within
from simulator.personas.schema import PersonaDocument, validate_persona
from simulator.personas.yaml_reader import YamlDocument, parse_yaml_text, read_yaml_file


@dataclass
class FileCheck:
    path: Path
    problems: list[Problem]
    document: PersonaDocument | None
    """None when the file has any error."""
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.document is not None

    def lines(self) -> list[str]:
        return [problem.format(str(self.path)) for problem in self.problems]


def check_persona_file(path: Path) -> FileCheck:
    return _check(path, read_yaml_file(path))


def check_persona_text(text: str, path: Path) -> FileCheck:
    """Check text as if it were the file at `path` (used on files before they are written)."""
    return _check(path, parse_yaml_text(text))


def _check(path: Path, yaml_document: YamlDocument) -> FileCheck:
    problems = list(yaml_document.problems)
    if yaml_document.data is None and problems:
        return FileCheck(path, problems, None, yaml_document.lines)
    validation = validate_persona(yaml_document.data, str(path))
    # A field the YAML reader already rejected (a tag, an alias, a duplicate) reads as missing or
    # wrong to the schema too; report it once.
    problems += [found.at(yaml_document.lines) for found in validation.problems
                 if not any(known.field and within(found.field, known.field) for known in yaml_document.problems)]
    document = validation.document
    persona = document.persona if document else None
    if persona and path.suffix in (".yaml", ".yml") and path.stem != persona.id:
        problems.append(Problem("id", f"'{persona.id}' differs from the file name '{path.name}'",
                                f"rename the file to {persona.id}{path.suffix} so it is easy to find",
                                warning=True, line=yaml_document.lines.get("id")))
    problems.sort(key=lambda problem: (problem.line or 0, problem.warning))
    if errors(problems):
        document = None
    return FileCheck(path, problems, document, yaml_document.lines)
