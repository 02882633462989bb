"""One line of the transcript: who said it, and what, growing as a reply streams in. Gestures and
silences (text between asterisks) are shown in italics, as stage directions."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

GESTURE = re.compile(r"(\*[^*]+\*)")


def styled(text: str) -> Text:
    content = Text()
    for part in GESTURE.split(text):
        if part.startswith("*") and part.endswith("*") and len(part) > 1:
            content.append(f"({part[1:-1].strip()})", style="italic")
        else:
            content.append(part)
    return content


class ChatMessage(Static):
    def __init__(self, speaker: str, text: str = "", *, role: str) -> None:
        super().__init__(classes=role)
        self.speaker = speaker
        self.text = text
        self.note = ""

    def on_mount(self) -> None:
        self._render_text()

    def append(self, piece: str) -> None:
        self.text += piece
        self._render_text()

    def set_text(self, text: str) -> None:
        self.text = text
        self._render_text()

    def mark(self, note: str) -> None:
        """Add a short note under the message, e.g. that the reply was cut off."""
        self.note = note
        self._render_text()

    def _render_text(self) -> None:
        content = Text()
        content.append(f"{self.speaker}: ", style="bold")
        content.append_text(styled(self.text) if self.text else Text("…"))
        if self.note:
            content.append(f"\n({self.note})", style="italic dim")
        self.update(content)
