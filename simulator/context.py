"""The one wiring point: settings in, persona library, models, prompts and storage out."""

from __future__ import annotations

from contextlib import suppress
from functools import cached_property

from simulator import paths
from simulator.errors import RehearseError
from simulator.settings import Settings


class AppContext:
    """Built once per run; each part is made on first use, so start-up stays fast."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._models: dict = {}
        self._engines: list = []
        self._begun: list = []
        """Session engines begun in this run: their sessions are discarded at close if the trainee never spoke."""

    @cached_property
    def personas(self):
        from simulator.personas.loader import load_library

        return load_library([paths.BUILTIN_PERSONAS_DIR, paths.user_personas_dir(), *self.settings.personas])

    @cached_property
    def prompts(self):
        from simulator.prompts import PromptRenderer

        return PromptRenderer(quote_chars=self.settings.client.max_chars)

    @cached_property
    def store(self):
        from simulator.storage.sessions import SessionStore

        return SessionStore(self.settings.transcripts)

    @cached_property
    def preferences(self):
        from simulator.storage.preferences import Preferences

        return Preferences(paths.user_data_dir() / "preferences.json")

    def model(self, role: str):
        """The chat model for 'client' or 'rater': a configured endpoint, or the embedded engine."""
        if role not in self._models:
            from simulator.llm.endpoints import open_chat_model

            model, engines = open_chat_model(role, self.settings.role(role), self.settings.model_path)
            self._engines.extend(engines)
            self._models[role] = model
        return self._models[role]

    def install_model(self, progress) -> None:
        """Install the bundled local model; `progress(done_bytes, total_bytes, stage)` reports as it goes."""
        from simulator.llm.model_files import install_model

        install_model(progress=progress)

    def backend_statuses(self):
        """Each role's backend and whether it is ready, without starting anything."""
        from simulator.llm.status import backend_status

        return [backend_status(role, self.settings.role(role), self.settings.model_path)
                for role in ("client", "rater")]

    def begin_session(self, persona_id: str):
        return self.begin_session_with(self.personas.get(persona_id))

    def begin_session_with(self, persona):
        """A new session with a persona given as it is, e.g. one read from a file by `persona try`."""
        from simulator.engine.session import SessionEngine

        engine = SessionEngine.begin(
            persona,
            client=self.model("client"),
            rater=self.model("rater"),
            prompts=self.prompts,
            store=self.store,
            trainee=self.settings.trainee,
        )
        self._begun.append(engine)
        return engine

    def resume_session(self, session_id: str):
        """Carry on a saved, unfinished session (call inside the running event loop)."""
        from simulator.engine.session import SessionEngine

        session = self.store.load(self.store.resolve(session_id))
        return SessionEngine.resume(self.personas.get(session.persona_id), session, client=self.model("client"),
                                    rater=self.model("rater"), prompts=self.prompts, store=self.store)

    def open_session(self, session_id: str):
        """An engine over a saved session, to show its debrief; it claims the session only if it writes."""
        from simulator.engine.session import SessionEngine

        session = self.store.load(self.store.resolve(session_id))
        return SessionEngine(self.personas.get(session.persona_id), session, self.model("client"),
                             self.model("rater"), self.prompts, self.store)

    def export_report(self, session_id: str, fmt: str = "html"):
        """Write a saved session's report into the transcripts folder's reports/; returns its path."""
        from simulator.errors import RehearseError
        from simulator.storage.atomic import replace_file
        from simulator.storage.formats import render

        session = self.store.load(self.store.resolve(session_id))
        try:
            persona = self.personas.get(session.persona_id)
        except RehearseError:
            persona = None
        path = self.settings.transcripts / "reports" / f"{session.id}.{fmt}"
        replace_file(path, render(session, persona, fmt).encode("utf-8"))
        return path

    def export_room_reports(self, room) -> list:
        """The leader's export: an HTML report of every finished session of every seat in the room,
        named after the participant, and an index.html listing them all, in the room's reports/;
        returns the session reports written."""
        import re

        from simulator.storage.atomic import replace_file
        from simulator.storage.formats import render
        from simulator.storage.room_report import RoomEntry, room_index_html

        written, entries = [], []
        for seat in room.seats():
            store = seat.store()
            prefix = re.sub(r"[^A-Za-z0-9]+", "-", seat.name).strip("-").lower() or "unnamed"
            for row in store.history().rows:
                if row.get("empathy_total") is None:
                    continue
                session = store.load(row["id"])
                try:
                    persona = self.personas.get(session.persona_id)
                except RehearseError:
                    persona = None
                path = room.reports / f"{prefix}-{session.id}.html"
                replace_file(path, render(session, persona, "html").encode("utf-8"))
                written.append(path)
                entries.append(RoomEntry(seat.name or "(no name)", persona.profile.name if persona else session.persona_id,
                                         row["started_at"][:16].replace("T", " "), row["empathy_total"],
                                         row.get("grade") or "", path.name))
        replace_file(room.reports / "index.html",
                     room_index_html(f"Workshop room {room.folder.name}", entries).encode("utf-8"))
        return written

    def _discard_unspoken(self) -> None:
        """A session begun here that never got a line of the trainee's (the app closed at once, or
        the first call failed before the line was taken) is not kept as an interrupted session."""
        for engine in self._begun:
            session = engine.session
            if not engine.trainee_spoke and not session.ended and self.store.holds(session.id):
                with suppress(RehearseError):
                    self.store.delete(session.id)
        self._begun.clear()

    async def aclose(self) -> None:
        self._discard_unspoken()
        for model in self._models.values():
            await model.aclose()
        self._models.clear()
        for engine in self._engines:
            engine.close()
        self._engines.clear()
        if "store" in self.__dict__:
            self.store.close()
