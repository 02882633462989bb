"""A problem found in a persona file: which field, what is wrong, how to fix it, and on which line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

_LAST_STEP = re.compile(r"(\.[^.\[\]]*|\[\d+\])$")


@dataclass(frozen=True)
class Problem:
    field: str
    """Dotted path such as 'client.hidden_feelings[0].intensity'; '' for the whole file."""
    what: str
    fix: str
    warning: bool = False
    """A warning still lets the persona load; an error keeps it out of the library."""
    line: int | None = None

    def at(self, lines: Mapping[str, int]) -> Problem:
        """This problem with its line: the field's own line, else the nearest enclosing field's."""
        if self.line is not None:
            return self
        return replace(self, line=line_of(self.field, lines))

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        kind = "warning: " if self.warning else ""
        return f"{where}: {kind}{self.field or '(file)'}: {self.what} — {self.fix}"


def line_of(field: str, lines: Mapping[str, int]) -> int:
    while field:
        if field in lines:
            return lines[field]
        parent = _LAST_STEP.sub("", field)
        field = "" if parent == field else parent
    return lines.get("", 1)


def within(field: str, parent: str) -> bool:
    """Whether `field` is `parent` or lies inside it."""
    return not parent or field == parent or field.startswith((parent + ".", parent + "["))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.warning]
