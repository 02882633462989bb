"""Untrusted text (persona and card fields, model replies, saved sessions) made safe for a terminal.

A terminal obeys the escape sequences in what it prints: clear the screen, set the window title,
write the clipboard (OSC 52). Such text keeps its words and loses every control character except
newline and tab, and every escape sequence whole, so no parameters are left behind as litter.
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI: cursor, colour, erase
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST. One left open loses only its introducer
    # (below), so the rest of the text is never swallowed.
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # the short ones: ESC 7, ESC c, ESC ( B
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls but tab and newline, DEL, and the C1 controls."""


def terminal_safe(text: str) -> str:
    """`text` without escape sequences or control characters, newlines and tabs kept."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def terminal_json(json_text: str) -> str:
    """JSON written with ensure_ascii=False, its DEL and C1 controls escaped (json escapes only C0):
    the same data, safe to print."""
    return _C1.sub(lambda found: f"\\u{ord(found.group()):04x}", json_text)


_C1 = re.compile(r"[\x7f-\x9f]")


def control_character(text: str) -> str | None:
    """The first character `terminal_safe` would drop, or None when there is none."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def describe(character: str) -> str:
    """'U+001B (ESCAPE)': a control character named so the user can find it."""
    name = unicodedata.name(character, "") or _C0_NAMES.get(ord(character), "control")
    return f"U+{ord(character):04X} ({name})"


_C0_NAMES = {0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE"}
"""unicodedata has no names for control characters; these are the ones an attack uses most."""
