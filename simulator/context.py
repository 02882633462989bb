"""The one wiring point: settings in, persona library, models, prompts and storage out."""

from __future__ import annotations

from functools import cached_property

from simulator import paths
from simulator.settings import Settings


class AppContext:
    """Built once per run; each part is made on first use, so start-up stays fast."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._models: dict = {}
        self._engines: list = []

    @cached_property
    def personas(self):
        from simulator.personas.loader import load_library

        return load_library([paths.BUILTIN_PERSONAS_DIR, paths.user_personas_dir(), *self.settings.personas])

    @cached_property
    def prompts(self):
        from simulator.prompts import PromptRenderer

        return PromptRenderer()

    @cached_property
    def store(self):
        from simulator.storage.sessions import SessionStore

        return SessionStore(self.settings.transcripts)

    def model(self, role: str):
        """The chat model for 'client' or 'rater': a configured endpoint, or the embedded engine."""
        if role not in self._models:
            from simulator.llm.endpoints import open_chat_model

            model, engine = open_chat_model(role, self.settings.role(role), self.settings.model_path)
            if engine is not None:
                self._engines.append(engine)
            self._models[role] = model
        return self._models[role]

    def begin_session(self, persona_id: str):
        from simulator.engine.session import SessionEngine

        persona = self.personas.get(persona_id)
        return SessionEngine.begin(
            persona,
            client=self.model("client"),
            rater=self.model("rater"),
            prompts=self.prompts,
            store=self.store,
            trainee=self.settings.trainee,
        )

    async def aclose(self) -> None:
        for model in self._models.values():
            await model.aclose()
        self._models.clear()
        for engine in self._engines:
            engine.close()
        self._engines.clear()
