"""Alternatives: for one moment, observers write what they would have said, and the client rates
each as if it had been said instead."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.domain import Speaker
from simulator.engine.session import SessionEngine
from simulator.errors import RehearseError
from simulator.rating.alternatives import RatedAlternative, rate_alternatives
from simulator.tui.widgets.appraisal_card import describe

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ranked(results: list[RatedAlternative]) -> Text:
    text = Text()
    for place, result in enumerate(results, start=1):
        text.append(f"{place}. “{result.text}”", style="bold")
        text.append(" (what was said)\n" if result.original else "\n")
        text.append_text(describe(result.appraisal))
        text.append("\n\n")
    return text


class AlternativesScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "rate", "Ask the client", priority=True),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, engine: SessionEngine, index: int) -> None:
        super().__init__()
        self.engine = engine
        self.index = index
        self.alternatives: list[str] = []

    def compose(self) -> ComposeResult:
        turns = self.engine.branch.turns
        before = next((t.text for t in reversed(turns[: self.index]) if t.speaker is Speaker.CLIENT), "")
        original = turns[self.index]
        yield Header()
        with VerticalScroll(id="alternatives"):
            yield Static(Text(f"{self.engine.persona.profile.name}: “{before}”"), classes="form-heading")
            said_by = f"{original.by} said" if original.by else "You said"
            yield Static(Text(f"{said_by}: “{original.text}”"))
            yield Static("What else could be said here? Type one alternative per line and press Enter; "
                         "Ctrl+R asks the client to rate them all.", classes="hint")
            yield Input(placeholder="An alternative reply…", id="alternative")
            yield Static("", id="choices")
            yield Static("", id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Alternatives for one moment"
        self.query_one("#alternative", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.alternatives.append(event.value.strip())
            event.input.clear()
            self.query_one("#choices", Static).update(
                "\n".join(f"{LETTERS[i]}. {text}" for i, text in enumerate(self.alternatives)))

    def action_rate(self) -> None:
        if self.alternatives:
            self.rate()

    @work(exclusive=True, group="alternatives")
    async def rate(self) -> None:
        results = self.query_one("#results", Static)
        results.update(f"{self.engine.persona.profile.name} is considering each reply…")
        try:
            rated = await rate_alternatives(self.engine.appraiser, self.engine.branch.turns, self.index,
                                            self.alternatives)
        except RehearseError as error:
            results.update(f"Could not rate them: {error}")
            return
        results.update(ranked(rated))
