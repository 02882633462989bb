"""Session: the transcript, the client's reply streaming in, and the trainee's reply box."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.domain import Speaker
from simulator.engine.session import Redo, SessionEngine
from simulator.errors import RehearseError
from simulator.tui.widgets.chat_message import ChatMessage

TRAINEE_LABEL = "You"


class SessionScreen(Screen[None]):
    BINDINGS = [
        # Priority, so it works while the reply box (whose own ctrl+e jumps to the line's end) has focus.
        Binding("ctrl+e", "end_session", "End session", priority=True),
        Binding("escape", "stop_reply", "Stop reply"),
    ]

    def __init__(self, engine: SessionEngine) -> None:
        super().__init__()
        self.engine = engine
        self.busy = False

    @property
    def client_name(self) -> str:
        return self.engine.persona.profile.name

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="transcript")
        yield Static("", id="status")
        yield Input(placeholder="Type your reply and press Enter · Ctrl+E ends the session", id="reply")
        yield Footer()

    def on_mount(self) -> None:
        profile = self.engine.persona.profile
        self.title = f"Session with {profile.name}"
        self.sub_title = profile.archetype.label
        transcript = self.query_one("#transcript", VerticalScroll)
        for turn in self.engine.session.turns:
            if turn.speaker is Speaker.CLIENT:
                transcript.mount(ChatMessage(self.client_name, turn.text, role="client"))
            else:
                transcript.mount(ChatMessage(TRAINEE_LABEL, turn.text, role="trainee"))
        self.query_one("#reply", Input).focus()
        self.warm_up()

    @work(group="warm-up")
    async def warm_up(self) -> None:
        try:
            await self.engine.warm_up()
        except RehearseError:
            pass  # the first real reply will report the problem, with the trainee's words kept

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self.busy:
            self.notify(f"{self.client_name} is still answering.", timeout=3)
            return
        event.input.clear()
        self.send(text)

    @work(exclusive=True, group="model")
    async def send(self, text: str) -> None:
        self.busy = True
        transcript = self.query_one("#transcript", VerticalScroll)
        said = ChatMessage(TRAINEE_LABEL, text, role="trainee")
        reply = ChatMessage(self.client_name, role="client")
        await transcript.mount_all([said, reply])
        transcript.scroll_end(animate=False)
        self._status(f"{self.client_name} is answering…")
        try:
            async for piece in self.engine.say(text):
                if isinstance(piece, Redo):
                    reply.set_text("")
                    continue
                reply.append(piece)
                transcript.scroll_end(animate=False)
            final = self.engine.session.turns[-1]
            reply.set_text(final.text)
            if final.note:
                reply.mark(final.note)
            self._status("")
        except RehearseError as error:
            await self._take_back(said, reply, text, f"Not sent: {error}")
            self.notify(str(error), title="The client could not answer", severity="error", timeout=15)
        except asyncio.CancelledError:
            await self._take_back(said, reply, text, "Reply stopped. Your line is back in the box: edit it or press Enter.")
            raise
        finally:
            self.busy = False

    async def _take_back(self, said: ChatMessage, reply: ChatMessage, text: str, status: str) -> None:
        """Undo an exchange that did not complete, putting the trainee's words back in the reply box."""
        await said.remove()
        await reply.remove()
        self._restore(text)
        self._status(status)

    def action_stop_reply(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, "model")

    def _restore(self, text: str) -> None:
        """Put the trainee's words back in the reply box, so nothing they wrote is lost."""
        reply_box = self.query_one("#reply", Input)
        if not reply_box.value.strip():
            reply_box.value = text
            reply_box.cursor_position = len(text)

    def action_end_session(self) -> None:
        if self.busy:
            self.notify(f"Wait for {self.client_name} to finish, then end the session.", timeout=4)
            return
        self.finish()

    @work(exclusive=True, group="model")
    async def finish(self) -> None:
        from simulator.tui.screens.form import FormScreen

        self.busy = True
        self.query_one("#reply", Input).disabled = True
        self._status(f"{self.client_name} is filling in the feedback form…")
        try:
            form = await self.engine.end()
        except RehearseError as error:
            self.query_one("#reply", Input).disabled = False
            self._status(f"No form yet: {error}. Press Ctrl+E to ask again.")
            self.notify(str(error), title="The form could not be filled in", severity="error", timeout=15)
            return
        except asyncio.CancelledError:
            self.query_one("#reply", Input).disabled = False
            self._status("Form stopped. Carry on, or press Ctrl+E to end again.")
            raise
        finally:
            self.busy = False
        self.app.switch_screen(FormScreen(self.engine.persona.profile, form))
