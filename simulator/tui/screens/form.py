"""The client's post-session form: each score as a bar with its number, the grade, and the client's words."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from simulator.domain import (
    EMPATHY_ITEMS,
    EMPATHY_MAX,
    EMPATHY_PASS_AT,
    HELPFULNESS_ITEM,
    SESSION_AT_RISK_AT,
    SESSION_ITEMS,
    SESSION_MAX,
    ClientForm,
    FormItem,
    PersonaProfile,
)

BAR_WIDTH = 20


def score_line(item: FormItem, score: int) -> Text:
    filled = round(BAR_WIDTH * score / item.high)
    line = Text()
    line.append(f"{score:>2}/{item.high:<2} ", style="bold")
    line.append("█" * filled + "░" * (BAR_WIDTH - filled))
    line.append(f"  {item.wording}")
    return line


class FormScreen(Screen[None]):
    BINDINGS = [("escape", "app.pop_screen", "Back to clients"), ("q", "app.quit", "Quit")]

    def __init__(self, profile: PersonaProfile, form: ClientForm) -> None:
        super().__init__()
        self.profile = profile
        self.form = form

    def compose(self) -> ComposeResult:
        form = self.form
        yield Header()
        with VerticalScroll(id="form"):
            verdict = "PASS" if form.passed else "FAIL"
            yield Static(
                f"Empathy {form.empathy_total}/{EMPATHY_MAX} — grade {form.grade} ({verdict}; "
                f"{EMPATHY_PASS_AT} or more passes)",
                id="empathy-total", classes="verdict",
            )
            for item in EMPATHY_ITEMS:
                yield Static(score_line(item, form.empathy[item.key]), classes="score")
            yield Static(score_line(HELPFULNESS_ITEM, form.helpfulness), classes="score")
            risk = "AT RISK" if form.at_risk else "not at risk"
            yield Static(
                f"Session ratings {form.session_total}/{SESSION_MAX} — {risk} "
                f"({SESSION_AT_RISK_AT} or less flags a session at risk)",
                id="session-total", classes="form-heading",
            )
            for item in SESSION_ITEMS:
                yield Static(score_line(item, form.session[item.key]), classes="score")
            yield Static(f"{self.profile.name} wrote", classes="form-heading")
            yield Static(f"“{form.comment}”", id="comment")
            if form.low_score_quotes:
                yield Static("Lines that cost you", classes="form-heading")
                for quote in form.low_score_quotes:
                    yield Static(f"{quote.item}: “{quote.quote}”", classes="quote")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.profile.name}'s feedback form"
