"""Are you sure? A yes/no question before an action that cannot be taken back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "y / Enter: yes", no: str = "n / Esc: no") -> None:
        super().__init__()
        self.question = question
        self.keys = f"{yes} · {no}"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="question")
            yield Static(self.keys, classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
