"""One line of the transcript: who said it, and what, growing as a reply streams in. Gestures and
silences (text between asterisks) are shown in italics, as stage directions."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

from simulator.terminal_text import terminal_safe

GESTURE = re.compile(r"(\*[^*]+\*)")


def styled(text: str) -> Text:
    content = Text()
    for part in GESTURE.split(text):
        if part.startswith("*") and part.endswith("*") and len(part) > 1:
            content.append(f"({part[1:-1].strip()})", style="italic")
        else:
            content.append(part)
    return content


REDRAW_EVERY = 0.05
"""Seconds between redraws of a streaming reply: pieces arrive faster than anyone reads, and
redrawing on every piece would starve the key presses of the trainee typing meanwhile."""


class ChatMessage(Static):
    def __init__(self, speaker: str, text: str = "", *, role: str) -> None:
        super().__init__(classes=role)
        self.speaker = speaker
        self.text = text
        self.note = ""
        self._redraw_pending = False

    def on_mount(self) -> None:
        self._render_text()

    def append(self, piece: str) -> None:
        first = not self.text
        self.text += piece
        if first:
            self._render_text()  # the first words show at once; the rest are batched
        elif not self._redraw_pending:
            self._redraw_pending = True
            self.set_timer(REDRAW_EVERY, self._redraw)

    def _redraw(self) -> None:
        self._redraw_pending = False
        self._render_text()

    def set_text(self, text: str) -> None:
        self.text = text
        self._render_text()

    def mark(self, note: str) -> None:
        """Add a short note under the message, e.g. that the reply was cut off."""
        self.note = note
        self._render_text()

    def _render_text(self) -> None:
        self.update(message_text(self.speaker, self.text, self.note))


def message_text(speaker: str, text: str, note: str = "") -> Text:
    """The message as shown. Names and replies come from persona files and models: Textual passes an
    escape sequence in them through to the terminal, so they are made safe here."""
    content = Text()
    content.append(f"{terminal_safe(speaker)}: ", style="bold")
    content.append_text(styled(terminal_safe(text)) if text else Text("…"))
    if note:
        content.append(f"\n({terminal_safe(note)})", style="italic dim")
    return content
