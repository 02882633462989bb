"""The Rehearse app: its screens over one AppContext."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.context import AppContext
from simulator.errors import RehearseError
from simulator.tui.actions import offered_actions
from simulator.tui.flow import Retry, SessionOutcome
from simulator.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from simulator.domain import ClientForm
    from simulator.engine.persona_reload import PersonaFileWatch
    from simulator.engine.session import SessionEngine
    from simulator.engine.workshop import HotSeat
    from simulator.storage.room import Room, Seat


class RehearseApp(App[None]):
    """Owns the flow between screens: each screen returns what happened (`dismiss`), and the app
    decides what comes next, so no screen imports the screen after it."""

    TITLE = "Rehearse"
    SUB_TITLE = "practice the hard conversations"
    CSS_PATH = "app.tcss"
    # Side-by-side panels stack when the terminal is narrow (80 columns).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
    ]

    persona_poll_seconds = 1.0
    """How often `persona try` looks at its file for changes."""

    def __init__(self, context: AppContext, persona_file: Path | None = None, resume: str | None = None,
                 seat: Seat | None = None, room: Room | None = None) -> None:
        super().__init__()
        self.context = context
        self.seat = seat
        """`serve --room`: this tab's seat; its sessions are the only ones this app can reach."""
        self.room = room
        """`serve --room`, the leader's tab: the room to show."""
        self.persona_file = persona_file
        """`persona try`: open straight into a session with this file's persona, and reload it on change."""
        self.resume = resume
        """`rehearse resume`: open straight into this saved session."""
        self.hot_seat = None
        """Workshop mode: the roster and who is in the hot seat, for the sessions started from home."""
        self.left_sessions: dict[str, tuple[SessionEngine, HotSeat | None, str]] = {}
        """Sessions stepped out of in this run (Esc), with the unsent draft: this process still holds
        them, and resumes them as they are."""
        theme = context.preferences.get("theme")
        if theme in self.available_themes:
            self.theme = theme

    def watch_theme(self, theme: str) -> None:
        """A theme picked in the app (Ctrl+P, "theme") is the theme of the next run too."""
        if not self.is_running:
            return
        try:
            self.context.preferences.set("theme", theme)
        except OSError as error:
            self.notify(f"The theme will not be remembered: {error}", severity="warning", timeout=5)

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.seat is not None:
            from simulator.tui.screens.seat_name import SeatNameScreen

            self.push_screen(SeatNameScreen(self.seat.name), self._seated)
        elif self.persona_file is not None:
            self._try_persona_file(self.persona_file)
        elif self.resume is not None:
            self.open_saved_session(self.resume)

    def _seated(self, name: str) -> None:
        from dataclasses import replace

        self.seat.set_name(name)
        self.context.settings = replace(self.context.settings, trainee=name)
        self.sub_title = f"workshop room · {name}"
        if self.room is not None:
            from simulator.tui.screens.room import RoomScreen

            self.push_screen(RoomScreen())

    # --- the flow: session → prediction → debrief (→ a retry, another session) ------------------

    def begin_session(self, persona_id: str) -> bool:
        """Start a session with this persona (in the workshop, if one is set up); False if it could not start."""
        try:
            engine = self.context.begin_session(persona_id)
        except RehearseError as error:
            self.notify(str(error), title="Cannot start the session", severity="error", timeout=15)
            return False
        if self.hot_seat is not None:
            engine.session.trainee = ", ".join(self.hot_seat.roster)
            engine.writer.save_now(engine.session)
        self.run_session(engine, self.hot_seat)
        return True

    def run_session(self, engine: SessionEngine, hot_seat: HotSeat | None = None, draft: str = "") -> None:
        from simulator.tui.screens.session import SessionScreen

        self.push_screen(SessionScreen(engine, hot_seat=hot_seat, draft=draft),
                         partial(self._session_over, engine, hot_seat))

    def _session_over(self, engine: SessionEngine, hot_seat: HotSeat | None, outcome: SessionOutcome | None) -> None:
        from simulator.tui.screens.prediction import PredictionScreen

        if outcome is None:
            return
        if outcome.ended:
            self.push_screen(PredictionScreen(engine, hot_seat), partial(self._form_filled, engine, hot_seat))
        elif engine.trainee_spoke:
            self.left_sessions[engine.session.id] = (engine, hot_seat, outcome.draft)
            self.notify("The session is saved: press r on the home screen to resume it.", timeout=5)
            if isinstance(self.screen, HomeScreen):
                self.screen.load_history()  # it may have loaded before this session was set aside

    def forget_left_session(self, session_id: str) -> None:
        """Before a session stepped out of is deleted: this process lets go of it."""
        if self.left_sessions.pop(session_id, None) is not None:
            self.context.store.release(session_id)

    def _form_filled(self, engine: SessionEngine, hot_seat: HotSeat | None, form: ClientForm | None) -> None:
        if form is not None:
            self.show_debrief(engine, form, hot_seat)

    def show_debrief(self, engine: SessionEngine, form: ClientForm, hot_seat: HotSeat | None = None) -> None:
        from simulator.tui.screens.debrief import DebriefScreen

        self.push_screen(DebriefScreen(engine, form, hot_seat), partial(self._debriefed, engine, hot_seat))

    def _debriefed(self, engine: SessionEngine, hot_seat: HotSeat | None, retry: Retry | None) -> None:
        if retry is not None:
            engine.retry_from(retry.line)
            self.run_session(engine, hot_seat, draft=retry.text)

    def open_saved_session(self, session_id: str) -> None:
        if session_id in self.left_sessions:
            engine, hot_seat, draft = self.left_sessions.pop(session_id)
            self.run_session(engine, hot_seat, draft=draft)
            return
        try:
            engine = self.context.resume_session(session_id)
        except RehearseError as error:
            self.notify(str(error), title="Cannot resume the session", severity="error", timeout=15)
            return
        self.run_session(engine)

    def open_history(self) -> None:
        from simulator.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def action_help(self) -> None:
        from simulator.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def _try_persona_file(self, path: Path) -> None:
        from simulator.engine.persona_reload import PersonaFileWatch

        watch = PersonaFileWatch(path)
        try:
            engine = self.context.begin_session_with(watch.load())
        except RehearseError as error:
            self.notify(str(error), title="Cannot start the session", severity="error", timeout=15)
            return
        self.run_session(engine)
        self.set_interval(self.persona_poll_seconds, lambda: self._reload_persona(watch, engine))

    def _reload_persona(self, watch: PersonaFileWatch, engine: SessionEngine) -> None:
        from simulator.engine.persona_reload import Reloaded, ReloadFailed, replace_persona

        change = watch.poll()
        if isinstance(change, Reloaded):
            replace_persona(engine, change.persona)
            self.notify("persona reloaded; it applies from the next reply", title=watch.path.name)
        elif isinstance(change, ReloadFailed):
            self.notify(change.problem, title="Persona not reloaded; the old one stays", severity="warning",
                        timeout=15)

    # --- the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The screen's own actions first, each with its key, then the app's (help, theme, keys, quit…)."""
        titles = set()
        for node, binding in offered_actions(screen):
            titles.add(binding.description.casefold())
            yield SystemCommand(binding.description, f"{binding.description} (key: {self.get_key_display(binding)})",
                                partial(node.run_action, binding.action))
        for command in super().get_system_commands(screen):
            if command.title.casefold() not in titles:
                yield command

    async def on_unmount(self) -> None:
        await self.context.aclose()
