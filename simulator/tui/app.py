"""The Rehearse app: its screens over one AppContext."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen

from simulator.context import AppContext
from simulator.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from simulator.engine.persona_reload import PersonaFileWatch
    from simulator.engine.session import SessionEngine


class RehearseApp(App[None]):
    TITLE = "Rehearse"
    SUB_TITLE = "practice the hard conversations"
    CSS_PATH = "app.tcss"
    # Side-by-side panels stack when the terminal is narrow (80 columns).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    persona_poll_seconds = 1.0
    """How often `persona try` looks at its file for changes."""

    def __init__(self, context: AppContext, persona_file: Path | None = None, resume: str | None = None) -> None:
        super().__init__()
        self.context = context
        self.persona_file = persona_file
        """`persona try`: open straight into a session with this file's persona, and reload it on change."""
        self.resume = resume
        """`rehearse resume`: open straight into this saved session."""
        self.hot_seat = None
        """Workshop mode: the roster and who is in the hot seat, for the sessions started from home."""

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.persona_file is not None:
            self._try_persona_file(self.persona_file)
        elif self.resume is not None:
            self.open_saved_session(self.resume)

    def open_saved_session(self, session_id: str) -> None:
        from simulator.errors import RehearseError
        from simulator.tui.screens.session import SessionScreen

        try:
            engine = self.context.resume_session(session_id)
        except RehearseError as error:
            self.notify(str(error), title="Cannot resume the session", severity="error", timeout=15)
            return
        self.push_screen(SessionScreen(engine))

    def _try_persona_file(self, path: Path) -> None:
        from simulator.engine.persona_reload import PersonaFileWatch
        from simulator.errors import RehearseError
        from simulator.tui.screens.session import SessionScreen

        watch = PersonaFileWatch(path)
        try:
            engine = self.context.begin_session_with(watch.load())
        except RehearseError as error:
            self.notify(str(error), title="Cannot start the session", severity="error", timeout=15)
            return
        self.push_screen(SessionScreen(engine))
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of the screen in view is also a command in the palette (Ctrl+P)."""
        yield from super().get_system_commands(screen)
        seen = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.action.startswith("app."):
                continue
            seen.add(binding.action)
            yield SystemCommand(binding.description, f"{binding.description} (key: {key})",
                                partial(active.node.run_action, binding.action))

    async def on_unmount(self) -> None:
        await self.context.aclose()
