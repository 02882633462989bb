"""Therapist lines labelled as a supervisor would, read from JSON Lines files (`eval rater --lines`).

One object a line: `persona` (an id in the library), `client` (the client statement answered),
`line` (the trainee's reply), `kind`, `feelings` (each hidden feeling's text to none / partly /
accurately), `traps`, `skills` and `understood` (0-4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from simulator.domain import FIVE_SECRETS, TRAPS, HiddenFeeling, Touch
from simulator.errors import RehearseError


@dataclass(frozen=True)
class LabelledLine:
    persona_id: str
    client: str
    line: str
    kind: str
    feelings: dict[str, Touch]
    traps: frozenset[str]
    skills: frozenset[str]
    understood: int
    persona_feelings: tuple[HiddenFeeling, ...]


def _fail(path: Path, number: int, problem: str) -> RehearseError:
    return RehearseError(f"{path}, line {number}: {problem}",
                         "fix that line; each is one JSON object as bench/data/README.md describes")


def read_labelled_lines(path: Path, library) -> list[LabelledLine]:
    """The labelled lines in `path`, each checked against its persona; a bad line raises one clear error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RehearseError(f"cannot read labelled lines {path} ({error})", "give a readable UTF-8 file") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            raise _fail(path, number, f"not JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise _fail(path, number, "not a JSON object")
        for field, kind in (("persona", str), ("client", str), ("line", str), ("kind", str), ("feelings", dict),
                            ("traps", list), ("skills", list), ("understood", int)):
            if not isinstance(item.get(field), kind) or isinstance(item.get(field), bool):
                raise _fail(path, number, f"field '{field}' must be a {kind.__name__}")
        try:
            persona = library.get(item["persona"])
        except RehearseError:
            raise _fail(path, number, f"no persona with id '{item['persona']}'") from None
        hidden = persona.client.hidden_feelings
        if set(item["feelings"]) != {f.feeling for f in hidden}:
            raise _fail(path, number, f"'feelings' must name exactly the hidden feelings of {persona.id}")
        try:
            feelings = {name: Touch(value) for name, value in item["feelings"].items()}
        except ValueError:
            raise _fail(path, number, "each feeling must be none, partly or accurately") from None
        if unknown := set(item["traps"]) - set(TRAPS):
            raise _fail(path, number, f"unknown trap {sorted(unknown)[0]!r} (one of {', '.join(TRAPS)})")
        if unknown := set(item["skills"]) - set(FIVE_SECRETS):
            raise _fail(path, number, f"unknown skill {sorted(unknown)[0]!r} (one of {', '.join(FIVE_SECRETS)})")
        if not 0 <= item["understood"] <= 4:
            raise _fail(path, number, "'understood' must be 0 to 4")
        lines.append(LabelledLine(persona.id, item["client"], item["line"], item["kind"], feelings,
                                  frozenset(item["traps"]), frozenset(item["skills"]), item["understood"], hidden))
    return lines
