"""Workshop set-up: who is in the group, and how often the hot seat passes on; or back to solo."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from simulator.engine.workshop import HotSeat

LEAVE_WORKSHOP = object()
"""What the screen returns when an empty roster ends workshop mode."""


class WorkshopSetupScreen(ModalScreen[HotSeat | object | None]):
    """Dismissed with the new HotSeat, LEAVE_WORKSHOP (roster emptied in a workshop), or None (cancelled)."""

    HELP = """Names of everyone taking part, separated by commas; the hot seat passes to the next name after
the number of lines given (0: only when someone taps in with Ctrl+N). In a workshop, an empty roster
ends workshop mode."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: HotSeat | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="workshop-setup"):
            yield Static("Workshop: several trainees take the hot seat in turn, in one session.", classes="form-heading")
            yield Static("Names, separated by commas:")
            yield Input(value=", ".join(current.roster) if current else "", placeholder="Ana, Ben, Cleo", id="roster")
            yield Static("Lines each before the seat passes on (0: only when someone taps in with Ctrl+N):")
            yield Input(value=str(current.rotate_every) if current else "2", id="rotate-every", restrict=r"\d*")
            hint = "Enter starts · Esc cancels"
            if current:
                hint = "Enter changes the group · an empty roster and Enter ends workshop mode · Esc cancels"
            yield Static(hint, classes="hint")
            yield Static("", id="setup-problem")

    def on_mount(self) -> None:
        self.query_one("#roster", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        roster = self.query_one("#roster", Input).value
        if self.current is not None and not roster.replace(",", "").strip():
            self.dismiss(LEAVE_WORKSHOP)
            return
        names = tuple(name for name in roster.split(","))
        every = self.query_one("#rotate-every", Input).value or "0"
        try:
            seat = HotSeat(names, rotate_every=int(every))
        except ValueError as error:
            self.query_one("#setup-problem", Static).update(f"{error}.")
            return
        self.dismiss(seat)

    def action_cancel(self) -> None:
        self.dismiss(None)
