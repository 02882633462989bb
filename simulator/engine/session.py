"""The session engine: keeps the transcript, asks the client model for replies, and saves every turn."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import aclosing

from simulator.domain import ClientForm, Persona, Session, Speaker, Turn, now_utc
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.form import fill_form
from simulator.storage.sessions import SessionStore

SESSION_START = "*The therapist invites you in, and the session begins.*"
"""The first user message, so the client's opening line follows a user turn as chat templates expect."""


def new_session_id(persona_id: str) -> str:
    return f"{now_utc():%Y%m%d-%H%M%S}-{persona_id}-{secrets.token_hex(2)}"


def _tidy_reply(text: str, name: str) -> str:
    """Drop a leading speaker label some models add, such as 'Dana:'."""
    first_name = re.escape(name.split()[0])
    return re.sub(rf"^\s*(?:{first_name}[^:\n]{{0,30}}|client)\s*:\s*", "", text.strip(), flags=re.IGNORECASE)


class SessionEngine:
    def __init__(
        self,
        persona: Persona,
        session: Session,
        client: ChatModel,
        rater: ChatModel,
        prompts: PromptRenderer,
        store: SessionStore,
    ) -> None:
        self.persona = persona
        self.session = session
        self.client = client
        self.rater = rater
        self.prompts = prompts
        self.store = store
        self._system_prompt: str | None = None

    @classmethod
    def begin(
        cls,
        persona: Persona,
        client: ChatModel,
        rater: ChatModel,
        prompts: PromptRenderer,
        store: SessionStore,
        trainee: str = "",
    ) -> SessionEngine:
        """Start a new session with the client's first opening line, saved at once."""
        session = Session(id=new_session_id(persona.id), persona_id=persona.id, trainee=trainee)
        session.turns.append(Turn(Speaker.CLIENT, persona.profile.opening_lines[0]))
        store.save(session)
        return cls(persona, session, client, rater, prompts, store)

    @property
    def awaiting_reply(self) -> bool:
        """True when the trainee's last line has no client reply yet (the last call failed)."""
        return bool(self.session.turns) and self.session.turns[-1].speaker is Speaker.TRAINEE

    def client_messages(self) -> list[Message]:
        if self._system_prompt is None:
            self._system_prompt = self.prompts.render(
                "client_system.j2", profile=self.persona.profile, client=self.persona.client
            )
        messages: list[Message] = [
            {"role": "system", "content": self._system_prompt},
            {"role": "user", "content": SESSION_START},
        ]
        for turn in self.session.turns:
            role = "user" if turn.speaker is Speaker.TRAINEE else "assistant"
            messages.append({"role": role, "content": turn.text})
        return messages

    async def say(self, text: str) -> AsyncIterator[str]:
        """Record the trainee's line, then stream the client's reply and record it too.

        If the previous call failed, the unanswered line is replaced by this one, so a retry never
        leaves two trainee lines in a row.
        """
        text = text.strip()
        if not text:
            raise ValueError("the trainee's line is empty")
        if self.session.ended:
            raise ValueError("the session has ended")
        if self.awaiting_reply:
            self.session.turns[-1] = Turn(Speaker.TRAINEE, text)
        else:
            self.session.turns.append(Turn(Speaker.TRAINEE, text))
        self.store.save(self.session)
        self.session.client_model = await self.client.model_name()
        pieces: list[str] = []
        async with aclosing(self.client.stream(self.client_messages())) as stream:
            async for piece in stream:
                pieces.append(piece)
                yield piece
        reply = _tidy_reply("".join(pieces), self.persona.profile.name) or "*says nothing*"
        self.session.turns.append(Turn(Speaker.CLIENT, reply))
        self.store.save(self.session)

    async def end(self) -> ClientForm:
        """Ask the client (through the rater model) to fill in the post-session form, and save it."""
        self.session.rater_model = await self.rater.model_name()
        form = await fill_form(self.rater, self.prompts, self.persona, self.session)
        self.session.form = form
        self.session.ended_at = now_utc()
        self.store.save(self.session)
        return form
