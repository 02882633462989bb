"""Help: what the screen underneath is for, and every key it answers to (F1 or ? anywhere)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from simulator.tui.actions import offered_actions

ALWAYS = (("ctrl+p", "Command palette: every action of this screen, searchable"), ("f1 / ?", "This help"))


def keys_of(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for every action the screen offers now, the screen's own first."""
    return [(screen.app.get_key_display(binding), binding.description)
            for _, binding in offered_actions(screen) if binding.action != "help"]


def help_text(screen: Screen) -> Text:
    text = Text()
    text.append(f"{screen.title or screen.app.title}\n", style="bold")
    if screen.HELP:
        text.append(screen.HELP.strip() + "\n")
    text.append("\nKeys\n", style="bold")
    rows = keys_of(screen) + list(ALWAYS)
    width = max(len(key) for key, _ in rows)
    for key, description in rows:
        text.append(f"  {key:<{width}}  ", style="bold")
        text.append(f"{description}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "close", "Close help"),
    ]

    def __init__(self, about: Screen) -> None:
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self.about), id="help-text")
            yield Static("Esc closes this help.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
