"""Workshop set-up: who is in the group, and how often the hot seat passes on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from simulator.engine.workshop import HotSeat


class WorkshopSetupScreen(ModalScreen[HotSeat | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="workshop-setup"):
            yield Static("Workshop: several trainees take the hot seat in turn, in one session.", classes="form-heading")
            yield Static("Names, separated by commas:")
            yield Input(placeholder="Ana, Ben, Cleo", id="roster")
            yield Static("Lines each before the seat passes on (0: only when someone taps in with Ctrl+N):")
            yield Input(value="2", id="rotate-every", restrict=r"\d*")
            yield Static("Enter starts · Esc cancels", classes="hint")
            yield Static("", id="setup-problem")

    def on_mount(self) -> None:
        self.query_one("#roster", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = tuple(name for name in self.query_one("#roster", Input).value.split(","))
        every = self.query_one("#rotate-every", Input).value or "0"
        try:
            seat = HotSeat(names, rotate_every=int(every))
        except ValueError as error:
            self.query_one("#setup-problem", Static).update(f"{error}.")
            return
        self.dismiss(seat)

    def action_cancel(self) -> None:
        self.dismiss(None)
