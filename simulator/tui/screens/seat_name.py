"""A workshop room's first question in a new tab: whose seat this is. The name goes with every
session saved here and is what the leader's view shows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from simulator.storage.room import clean_name


class SeatNameScreen(ModalScreen[str]):
    HELP = "Type the name the workshop leader knows you by and press Enter."

    def __init__(self, name: str = "") -> None:
        super().__init__()
        self.known_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static("Welcome to the workshop room. Your name?", id="question")
            yield Input(value=self.known_name, placeholder="Your name", id="seat-name")
            yield Static("Enter: go in. Only you and the leader see your sessions.", classes="hint")
            yield Static("", id="seat-problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = clean_name(event.value)
        if not name:
            self.query_one("#seat-problem", Static).update("A name, please: it goes with your sessions.")
            return
        self.dismiss(name)
