"""`persona check` over files and folders: each file's problems, ids used twice in one folder, a summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.personas.loader import persona_files
from simulator.personas.persona_file import FileCheck, check_persona_file
from simulator.personas.problems import Problem


@dataclass
class CheckReport:
    files: list[FileCheck] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    """Paths that were named but do not exist."""

    @property
    def invalid(self) -> list[FileCheck]:
        return [check for check in self.files if not check.valid]

    @property
    def with_warnings(self) -> list[FileCheck]:
        return [check for check in self.files if any(problem.warning for problem in check.problems)]

    def passed(self, strict: bool = False) -> bool:
        return not self.invalid and not self.missing and not (strict and self.with_warnings)

    def lines(self) -> list[str]:
        found = [f"{path}: not found — check the path" for path in self.missing]
        for check in self.files:
            found.extend(check.lines())
        return found

    def summary(self) -> str:
        count = len(self.files)
        if not count:
            return "no persona files found (*.yaml, *.yml)"
        parts = [f"{count} file{'s' if count != 1 else ''} checked", f"{count - len(self.invalid)} valid"]
        if self.invalid:
            parts.append(f"{len(self.invalid)} invalid")
        if self.with_warnings:
            parts.append(f"{len(self.with_warnings)} with warnings")
        return ", ".join(parts)


def check_paths(paths: Iterable[Path], skip_missing: bool = False) -> CheckReport:
    """Check each file, and each persona file directly inside each folder."""
    report = CheckReport()
    for path in paths:
        if path.is_dir():
            report.files.extend(_with_duplicate_ids([check_persona_file(p) for p in persona_files(path)]))
        elif path.exists() or path.is_symlink():
            report.files.append(check_persona_file(path))
        elif not skip_missing:
            report.missing.append(path)
    return report


def _with_duplicate_ids(checks: list[FileCheck]) -> list[FileCheck]:
    first_file: dict[str, Path] = {}
    for check in checks:
        if check.document is None:
            continue
        persona_id = check.document.persona.id
        if persona_id not in first_file:
            first_file[persona_id] = check.path
            continue
        check.problems.append(
            Problem("id", f"'{persona_id}' is also the id of {first_file[persona_id].name}",
                    "give each persona its own id; only one of the two can be played",
                    warning=True, line=check.field_lines.get("id", 1))
        )
    return checks
