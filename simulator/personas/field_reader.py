"""Read typed fields out of parsed persona data, noting each problem (with its fix) instead of
stopping at the first one."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from simulator.personas.problems import Problem, within

PLACEHOLDER = "TODO"
"""Text that starts with this marks a field still to be written (imported cards use it)."""


def kind_of(value: Any) -> str:
    return {str: "text", bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping",
            type(None): "empty"}.get(type(value), type(value).__name__)


def _quote_hint(value: Any) -> str:
    if isinstance(value, Mapping):
        return "put the whole text in quotes: a ': ' inside it starts a 'key: value' pair"
    return "put the value in quotes"


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper().startswith(PLACEHOLDER)


class FieldReader:
    """Reads typed fields, noting each problem and returning None (or an empty value) in its place."""

    def __init__(self, section_of: Mapping[str, str]) -> None:
        self.section_of = section_of
        """Where each known key belongs ('' is the top level), to say where a misplaced key goes."""
        self.problems: list[Problem] = []
        self.covered: set[str] = set()
        """Fields whose absence is already explained: a misspelt key that means them, or a missing
        or malformed section they belong to. They are not reported again as missing."""

    def error(self, field: str, what: str, fix: str) -> None:
        self.problems.append(Problem(field, what, fix))

    def warn(self, field: str, what: str, fix: str) -> None:
        if not self.is_covered(field):
            self.problems.append(Problem(field, what, fix, warning=True))

    def is_covered(self, field: str) -> bool:
        return any(within(field, covered) for covered in self.covered if covered)

    def missing(self, field: str, fix: str, what: str = "is missing") -> None:
        if not self.is_covered(field):
            self.error(field, what, fix)

    def mapping(self, value: Any, field: str, known: tuple[str, ...], required: bool = True) -> Mapping[str, Any]:
        if value is None:
            if required and field:
                self.missing(field, f"add a '{field.rsplit('.', 1)[-1]}:' section")
                self.covered.add(field)
            return {}
        if not isinstance(value, Mapping):
            self.error(field, f"must be a mapping of keys to values, not {kind_of(value)}",
                       "write 'key: value' lines, indented under it")
            self.covered.add(field)
            return {}
        for key in value:
            if key not in known:
                self.error(f"{field}.{key}" if field else str(key), "unknown key", self._key_hint(str(key), field, known))
        return value

    def _key_hint(self, key: str, field: str, known: tuple[str, ...]) -> str:
        home = self.section_of.get(key)
        if home is not None and home != field:
            return f"move it under '{home}:'" if home else "move it to the top level, unindented"
        close = difflib.get_close_matches(key, known, n=1)
        if not close:
            return f"known keys here: {', '.join(known)}"
        self.covered.add(f"{field}.{close[0]}" if field else close[0])
        return f"did you mean '{close[0]}'?"

    def text(self, data: Mapping[str, Any], key: str, field: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.missing(field, f"add '{key}:' with some text")
                return None
            return ""
        if not isinstance(value, str):
            self.error(field, f"must be text, not {kind_of(value)}", _quote_hint(value))
            return None
        if _is_placeholder(value):
            self.error(field, "is still a TODO placeholder", "replace the TODO text with your own")
            return None
        return value.strip()

    def integer(self, data: Mapping[str, Any], key: str, field: str, low: int, high: int) -> int | None:
        value = data.get(key)
        if value is None:
            self.missing(field, f"add '{key}:' with a whole number from {low} to {high}")
        elif _is_placeholder(value):
            self.error(field, "is still a TODO placeholder", f"write a whole number from {low} to {high}")
        elif isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            shown = repr(value) if isinstance(value, (int, float, str)) else kind_of(value)
            self.error(field, f"must be a whole number from {low} to {high}, got {shown[:40]}", "correct the number")
        else:
            return value
        return None

    def number(self, data: Mapping[str, Any], key: str, field: str, low: float, high: float) -> float | None:
        """An optional number from low to high; None when absent or wrong (then noted)."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            shown = repr(value) if isinstance(value, (int, float, str)) else kind_of(value)
            self.error(field, f"must be a number from {low:g} to {high:g}, got {shown[:40]}", "correct the number")
            return None
        return float(value)

    def texts(self, data: Mapping[str, Any], key: str, field: str, required: bool = False) -> tuple[str, ...] | None:
        value = data.get(key)
        if isinstance(value, str):
            value = [value]
        if value is None or value == []:
            if required:
                self.missing(field, f"add '{key}:' with at least one '- ' line", "is missing or empty")
                return None
            return ()
        if not isinstance(value, list):
            self.error(field, f"must be a list of text lines, not {kind_of(value)}", "write each item on its own '- ' line")
            return None
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                what = "is empty" if item is None or item == "" else f"must be text, not {kind_of(item)}"
                fix = _quote_hint(item) if isinstance(item, Mapping) else "write some text after the '- ', in quotes if need be"
                self.error(f"{field}[{index}]", what, fix)
            elif _is_placeholder(item):
                self.error(f"{field}[{index}]", "is still a TODO placeholder", "replace the TODO text with your own")
            else:
                result.append(item.strip())
        return tuple(result) if len(result) == len(value) else None

    def entries(self, data: Mapping[str, Any], key: str, field: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(field, f"must be a list, not {kind_of(value)}", "write each entry as a '- ' item")
            return []
        return value
