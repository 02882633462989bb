"""Read a persona file's YAML safely into plain data, with the line of every field and every problem.

Safety: the file is only composed into nodes and then turned into dicts, lists, text and numbers
here, so no YAML tag can construct an object or run code; aliases are refused (no "billion laughs");
duplicate keys, tabs, binary and oversized files are reported rather than silently accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.personas.problems import Problem
from simulator.terminal_text import control_character, describe

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 40

_TAG = "tag:yaml.org,2002:"
_ALIAS = "!rehearse/alias"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_CONTROL_FIX = "remove it: persona files hold plain text, and escapes such as \\x1b, \\u001b or \\e are control characters too"
_SYNTAX_FIXES = {
    "cannot start any token": "indent with spaces, not tabs, and quote text that starts with @ or `",
    "mapping values are not allowed here": "put the text in quotes when it contains ': '",
    "expected a single document": "keep one persona per file: remove the second '---'",
    "could not find expected ':'": "write each field as 'key: value', and quote text that contains ': '",
}


@dataclass
class YamlDocument:
    data: Any = None
    lines: dict[str, int] = field(default_factory=dict)
    """Line of each field path ('client.hidden_feelings[0].intensity'); '' is the file itself."""
    problems: list[Problem] = field(default_factory=list)


class _NodeLoader(yaml.SafeLoader):
    """Composes nodes without following aliases: each alias becomes a marker node the converter reports."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(_ALIAS, event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def read_yaml_file(path: Path) -> YamlDocument:
    document = YamlDocument()
    problem = _file_problem(path)
    if problem:
        document.problems.append(problem)
        return document
    with path.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    text = _decode(raw, document)
    if text is not None:
        parse_yaml_text(text, document)
    return document


def _file_problem(path: Path) -> Problem | None:
    try:
        if not path.exists():
            return Problem("", "file not found", "check the path", line=1)
        if not path.is_file():
            return Problem("", "not a regular file", "point at a .yaml persona file or a folder of them", line=1)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem("", f"file is {size // 1024} KiB",
                           f"keep persona files under {MAX_FILE_BYTES // 1024} KiB", line=1)
        with path.open("rb"):
            pass
    except OSError as error:
        return Problem("", f"cannot read the file ({error.strerror or error})", "check its permissions", line=1)
    return None


def _decode(raw: bytes, document: YamlDocument) -> str | None:
    if len(raw) > MAX_FILE_BYTES:
        document.problems.append(Problem("", "file is too big", f"keep persona files under {MAX_FILE_BYTES // 1024} KiB", line=1))
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        document.problems.append(Problem("", "file is binary, not YAML text", "point at a .yaml persona file", line=line))
        return None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        document.problems.append(Problem("", f"not UTF-8 text (byte 0x{raw[error.start]:02x})", "save the file as UTF-8", line=line))
        return None


def parse_yaml_text(text: str, document: YamlDocument | None = None) -> YamlDocument:
    document = document or YamlDocument()
    tab_lines = _tab_indented_lines(text)
    document.problems.extend(
        Problem("", "line is indented with a tab", "indent with spaces; YAML does not allow tabs there", line=line)
        for line in tab_lines
    )
    loader = None
    try:
        loader = _NodeLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        if line not in tab_lines and not (tab_lines and "\\t" in str(error.problem)):
            words = ", ".join(part for part in (error.context, error.problem) if part) or "unreadable"
            document.problems.append(_syntax_problem(words, line))
        return document
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        document.problems.append(Problem("", f"contains the control character #x{error.character:04x}",
                                         "remove it; persona files hold plain text", line=line))
        return document
    except yaml.YAMLError as error:
        document.problems.append(_syntax_problem(str(error).splitlines()[0], 1))
        return document
    except RecursionError:
        document.problems.append(Problem("", "nesting is too deep", "persona files are at most a few levels deep", line=1))
        return document
    finally:
        if loader is not None:
            loader.dispose()

    if node is None:
        document.problems.append(Problem("", "file is empty", "start from `rehearse persona new` or docs/personas.md", line=1))
        return document
    document.lines[""] = node.start_mark.line + 1
    document.data = _Converter(document).value(node, "", 0)
    return document


def _tab_indented_lines(text: str) -> list[int]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            found.append(number)
    return found


def _syntax_problem(problem: str, line: int) -> Problem:
    fix = next((fix for key, fix in _SYNTAX_FIXES.items() if key in problem),
               "fix the YAML on this line: check indentation, colons and quotes")
    return Problem("", f"invalid YAML: {problem}", fix, line=line)


class _Converter:
    """Turns nodes into plain values, recording each field's line and any problem on the way."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, field: str, what: str, fix: str, node) -> None:
        self.document.problems.append(Problem(field, what, fix, line=node.start_mark.line + 1))

    def value(self, node, field: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.problem(field, "is nested too deeply", "persona files are at most a few levels deep", node)
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, field)
        if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
            items = []
            for index, item in enumerate(node.value):
                where = f"{field}[{index}]"
                self.document.lines[where] = item.start_mark.line + 1
                items.append(self.value(item, where, depth + 1))
            return items
        if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
            return self.mapping(node, field, depth)
        self.problem(field, f"YAML tag {_short(node.tag)} is not allowed",
                     "remove the tag: persona files hold only text, numbers, lists and 'key: value' fields", node)
        return None

    def scalar(self, node: yaml.ScalarNode, field: str) -> Any:
        if node.tag == _ALIAS:
            self.problem(field, f"YAML alias *{node.value} is not allowed",
                         "write the value out in full instead of referring to an anchor", node)
            return None
        if node.tag not in _SCALAR_TAGS:
            self.problem(field, f"YAML tag {_short(node.tag)} is not allowed",
                         "remove the tag and write plain text or a number", node)
            return None
        if node.tag in (_TAG + "str", _TAG + "timestamp"):
            # A quoted escape ("\x1b", "\e") gets past the reader's check of the raw file: check the value.
            character = control_character(node.value)
            if character:
                self.problem(field, f"contains the control character {describe(character)}", _CONTROL_FIX, node)
                return None
            return node.value
        try:
            return self.constructor.construct_object(node)
        except (ValueError, yaml.YAMLError):
            self.problem(field, f"{node.value[:20]!r} is not a usable number", "write a small whole number", node)
            return None

    def mapping(self, node: yaml.MappingNode, field: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.problem(field, "has a key that is not a plain name", "write keys as plain words, like 'name:'", key_node)
                continue
            key = key_node.value
            character = control_character(key)
            if character:
                self.problem(field, f"has a key with the control character {describe(character)}", _CONTROL_FIX,
                             key_node)
                continue
            where = f"{field}.{key}" if field else key
            line = key_node.start_mark.line + 1
            if key in result:
                self.problem(where, f"appears twice (first on line {self.document.lines[where]})",
                             "keep one of them and delete the other", key_node)
                continue
            self.document.lines[where] = line
            result[key] = self.value(value_node, where, depth + 1)
        return result


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag
