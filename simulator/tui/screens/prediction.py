"""Prediction: before the reveal, the trainee rates themself on the client's own form.

The client fills in the real form in the background meanwhile, so the reveal is quick.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from simulator.domain import EMPATHY_ITEMS, HELPFULNESS_ITEM, SESSION_ITEMS, ClientForm, Prediction
from simulator.engine.session import SessionEngine
from simulator.engine.workshop import HotSeat
from simulator.errors import RehearseError
from simulator.tui.widgets.item_picker import ItemPicker


class PredictionScreen(Screen[ClientForm]):
    """Dismissed with the client's form once it is revealed."""

    HELP = """Before the client's form is shown, rate yourself on it as you think the client will:
the gap between the two is your calibration. The client fills in the real form meanwhile."""

    BINDINGS = [
        Binding("enter", "reveal", "Reveal the client's form", priority=True),
    ]

    def __init__(self, engine: SessionEngine, hot_seat: HotSeat | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.hot_seat = hot_seat
        self.form_task: asyncio.Task[ClientForm] | None = None
        self.revealing = False

    def compose(self) -> ComposeResult:
        name = self.engine.persona.profile.name
        yield Header()
        with VerticalScroll(id="prediction"):
            who = "the group" if self.hot_seat else "you"
            yield Static(f"Before you see it: how will {name} rate {who}? ↑/↓ moves, ←/→ or a digit sets, "
                         "Enter reveals.", classes="form-heading")
            yield Static("Empathy, 0 (not at all) to 4 (completely)", classes="form-heading")
            for item in EMPATHY_ITEMS:
                yield ItemPicker(item, 2)
            yield ItemPicker(HELPFULNESS_ITEM, 2)
            yield Static("The session, 0 to 10", classes="form-heading")
            for item in SESSION_ITEMS:
                yield ItemPicker(item, 5)
            yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Predict {self.engine.persona.profile.name}'s form"
        self.query(ItemPicker).first().focus()
        self.form_task = asyncio.ensure_future(self.engine.end())

    def prediction(self) -> Prediction:
        values = {picker.item.key: picker.value for picker in self.query(ItemPicker)}
        return Prediction(
            empathy={item.key: values[item.key] for item in EMPATHY_ITEMS},
            helpfulness=values[HELPFULNESS_ITEM.key],
            session={item.key: values[item.key] for item in SESSION_ITEMS},
        )

    def action_reveal(self) -> None:
        if not self.revealing:
            self.reveal()

    @work(exclusive=True, group="reveal")
    async def reveal(self) -> None:
        self.revealing = True
        self.engine.record_prediction(self.prediction())
        self.query_one("#status", Static).update(f"{self.engine.persona.profile.name} is filling in the form…")
        try:
            assert self.form_task is not None
            form = await self.form_task
        except RehearseError as error:
            self.query_one("#status", Static).update(f"No form: {error}. Press Enter to ask again.")
            self.notify(str(error), title="The form could not be filled in", severity="error", timeout=15)
            self.form_task = asyncio.ensure_future(self.engine.end())
            self.revealing = False
            return
        self.dismiss(form)
