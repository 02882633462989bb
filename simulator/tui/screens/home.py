"""Home: the persona gallery. Pick a client to start a session."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from simulator.domain import PersonaProfile
from simulator.errors import RehearseError


def _first_sentence(text: str) -> str:
    sentence = text.split(". ")[0].strip()
    return sentence if sentence.endswith(".") else sentence + "."


def persona_option(profile: PersonaProfile) -> Option:
    label = Text()
    label.append(f"{profile.name}, {profile.age}", style="bold")
    label.append(f" — {profile.archetype.label}")
    label.append(f"  difficulty {profile.difficulty}/5\n")
    label.append(f"  {_first_sentence(profile.situation)}", style="dim")
    return Option(label, id=profile.id)


class HomeScreen(Screen[None]):
    BINDINGS = [("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Choose a client to see. Enter starts the session.", id="intro")
        yield OptionList(id="personas")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        library = self.app.context.personas
        options = self.query_one("#personas", OptionList)
        options.add_options([persona_option(persona.profile) for persona in library])
        options.highlighted = 0
        options.focus()
        for warning in library.warnings:
            self.notify(warning, title="Persona skipped", severity="warning", timeout=10)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from simulator.tui.screens.session import SessionScreen

        try:
            engine = self.app.context.begin_session(event.option.id)
        except RehearseError as error:
            self.query_one("#status", Static).update(f"Cannot start the session: {error}")
            self.notify(str(error), title="Cannot start the session", severity="error", timeout=15)
            return
        self.app.push_screen(SessionScreen(engine))
