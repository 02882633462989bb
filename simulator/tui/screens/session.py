"""Session: the transcript, the client's reply streaming in, and the trainee's reply box.

Coach mode shows how each reply landed as soon as the rater has judged it; exam mode keeps
everything for the debrief.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Footer, Header, Input, Static

from simulator.domain import Branch, Speaker, Turn, TurnKind
from simulator.engine.session import Redo, SessionEngine
from simulator.engine.workshop import HotSeat
from simulator.errors import RehearseError
from simulator.rating.trust import trust_note
from simulator.tui.flow import ENDED, SessionOutcome
from simulator.tui.widgets.appraisal_card import AppraisalCard
from simulator.tui.widgets.chat_message import ChatMessage

TRAINEE_LABEL = "You"
SILENCE = "*waits in silence*"


MOUNT_AFTER = 0.02
"""Seconds the new messages wait to be drawn while the request goes out (less if the first piece
comes sooner): drawing them first delayed the request by ~10 ms (bench/README.md)."""


QUEUE_POLL_SECONDS = 1.0


async def _then(first: asyncio.Future, rest: AsyncIterator[str | Redo]) -> AsyncIterator[str | Redo]:
    """The piece already asked for, then the rest of the stream."""
    piece = await first
    if piece is None:
        return
    yield piece
    async for piece in rest:
        yield piece


class SessionScreen(Screen[SessionOutcome]):
    """Dismissed with ENDED (the form comes next), or a SessionOutcome that stepped out (saved, to resume)."""

    HELP = """Type your reply and press Enter; the client answers. In coach mode a card under each of your
lines says how it landed; in exam mode everything waits for the debrief. Ctrl+R takes your last line
back to try it another way (the first attempt is kept). Ctrl+E ends the session: you predict the
client's form, then see it. Esc stops a reply that is coming in, or steps out of the session (it is
saved; r on the home screen resumes it)."""

    # Priority, so they work while the reply box (which has its own ctrl+e and ctrl+t) has focus.
    # The workshop's keys come first: a narrow footer keeps the first ones.
    BINDINGS = [
        Binding("ctrl+n", "tap_in", "Next in seat", priority=True),
        Binding("escape", "escape", "Stop / leave"),
        Binding("ctrl+e", "end_session", "End session", priority=True),
        Binding("ctrl+s", "wait_in_silence", "Stay silent", priority=True),
        Binding("ctrl+r", "retry_turn", "Retry last line", priority=True),
        Binding("ctrl+t", "toggle_mode", "Coach/exam", priority=True),
    ]

    def __init__(self, engine: SessionEngine, coach: bool = True, hot_seat: HotSeat | None = None,
                 draft: str = "") -> None:
        super().__init__()
        self.draft = draft
        """Put in the reply box on opening: the line being retried."""
        self.engine = engine
        self.hot_seat = hot_seat
        """In a workshop: who is speaking now; each line is attributed to them."""
        self.coach = coach
        self.busy = False
        self.started = time.monotonic()
        self._cards: dict[int, ChatMessage] = {}
        """Trainee turn index to its message widget, where coach cards go."""
        self._appraisal_cards: dict[int, AppraisalCard] = {}
        """Coach mode: the card under each judged line, updated when its inner reaction comes."""

    @property
    def client_name(self) -> str:
        return self.engine.persona.profile.name

    @property
    def judged_by(self) -> str:
        """The coach card's help: the method that judges each line and its measured agreement."""
        return trust_note(self.engine.rater.endpoint.judge)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="session-bar")
        yield VerticalScroll(id="transcript")
        yield Static("", id="status")
        yield Input(placeholder="Type your reply and press Enter · Ctrl+S stays silent · Ctrl+E ends", id="reply")
        yield Footer()

    def on_mount(self) -> None:
        profile = self.engine.persona.profile
        self.title = f"Session with {profile.name}"
        self.sub_title = profile.archetype.label
        self.engine.on_appraised = self._appraised
        self.query_one("#transcript", VerticalScroll).anchor()  # follow a streaming reply to the end
        self._show_branch()
        self.query_one("#reply", Input).focus()
        self.restore_draft(self.draft)
        self.set_interval(10.0, self._update_bar)
        self.warm_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tap_in" and self.hot_seat is None:
            return False  # a solo session has no hot seat to pass
        return True

    # --- what is on screen -----------------------------------------------------------------

    def _update_bar(self) -> None:
        minutes = int(time.monotonic() - self.started) // 60
        lines = sum(1 for t in self.engine.branch.turns if t.speaker is Speaker.TRAINEE)
        mode = "coach mode: feedback after each reply" if self.coach else "exam mode: feedback at the end"
        branch = self.engine.branch
        where = f" · retry of line {self._line_of(branch)}" if branch.forked_from else ""
        seat = f"Hot seat: {self.hot_seat.holder} · " if self.hot_seat else ""
        self.query_one("#session-bar", Static).update(
            f"{seat}Turn {lines} · {minutes} min · {mode}{where}"
        )

    def _line_of(self, branch: Branch) -> int:
        return sum(1 for t in branch.turns if t.speaker is Speaker.TRAINEE) + 1

    def _message_for(self, turn: Turn) -> ChatMessage:
        if turn.speaker is Speaker.CLIENT:
            message = ChatMessage(self.client_name, turn.text, role="client")
            if not turn.complete:
                message.mark("cut off")
            elif turn.note:
                message.mark(turn.note)
            return message
        text = SILENCE if turn.kind is TurnKind.SILENCE else turn.text
        message = ChatMessage(turn.by or TRAINEE_LABEL, text, role="trainee")
        if turn.note:
            message.mark(turn.note)
        return message

    def _show_branch(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.remove_children()
        self._cards.clear()
        self._appraisal_cards.clear()
        widgets = []
        for index, turn in enumerate(self.engine.branch.turns):
            widgets.append(self._message_for(turn))
            if turn.speaker is Speaker.TRAINEE:
                self._cards[index] = widgets[-1]
                if self.coach and turn.appraisal:
                    widgets.append(AppraisalCard(turn.appraisal, self.judged_by))
                    self._appraisal_cards[index] = widgets[-1]
        transcript.mount_all(widgets)
        transcript.scroll_end(animate=False)
        self._update_bar()

    def _appraised(self, branch: Branch, index: int) -> None:
        """Coach mode: put the appraisal under the reply it judged, as soon as it is ready. In any mode,
        say so under the line when it could not be rated."""
        if branch is not self.engine.branch or index not in self._cards or not self._cards[index].is_attached:
            return
        turn = branch.turns[index]
        if turn.appraisal is None:
            if turn.note:
                self._cards[index].mark(turn.note)
        elif self.coach:
            shown = self._appraisal_cards.get(index)
            if shown is not None and shown.is_attached:
                shown.show(turn.appraisal)
                return
            card = AppraisalCard(turn.appraisal, self.judged_by)
            self._appraisal_cards[index] = card
            self.query_one("#transcript", VerticalScroll).mount(card, after=self._cards[index])

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    # --- talking ---------------------------------------------------------------------------

    @work(group="warm-up")
    async def warm_up(self) -> None:
        try:
            await self.engine.warm_up()
        except RehearseError:
            pass  # the first real reply will report the problem, with the trainee's words kept

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self.busy:
            self.notify(f"{self.client_name} is still answering; your words stay in the box.", timeout=3)
            return
        self.send(text, clear=event.input)

    def action_wait_in_silence(self) -> None:
        if self.busy:
            return
        self.send("", silence=True)

    @work(exclusive=True, group="model")
    async def send(self, text: str, silence: bool = False, clear: Input | None = None) -> None:
        self.busy = True
        speaker = self.hot_seat.holder if self.hot_seat else ""
        transcript = self.query_one("#transcript", VerticalScroll)
        said = ChatMessage(speaker or TRAINEE_LABEL, SILENCE if silence else text, role="trainee")
        reply = ChatMessage(self.client_name, role="client")
        turns = self.engine.branch.turns
        index = len(turns) - 1 if self.engine.awaiting_reply else len(turns)
        # The request goes out first and the two messages mount while it is out, so drawing them
        # costs the reply no time.
        pieces = self.engine.say(text, silence=silence, by=speaker)
        first_piece = asyncio.ensure_future(anext(pieces, None))
        mounting: AwaitMount | None = None
        try:
            try:
                await asyncio.wait([first_piece], timeout=MOUNT_AFTER)
            except asyncio.CancelledError:
                first_piece.cancel()
                raise
            if clear is not None and clear.value.strip() == text:
                clear.clear()
            mounting = transcript.mount_all([said, reply])
            self._cards[index] = said
            self._status(f"{self.client_name} is answering… (Esc stops)")
            # The model's own first words: an opener the engine hands the model is shown before them.
            model_started = asyncio.get_running_loop().create_future()
            if first_piece.done() and not self._only_the_opening(first_piece):
                model_started.set_result(None)
            if not model_started.done() and self.engine.client.queue_url is not None:
                self._show_queue_until(model_started)
            shown_any = False
            try:
                async for piece in _then(first_piece, pieces):
                    if mounting is not None:
                        await mounting
                        mounting = None
                        transcript.scroll_end(animate=False)
                    if not model_started.done() and (shown_any or piece != self.engine.last_opening):
                        model_started.set_result(None)
                    shown_any = True
                    if isinstance(piece, Redo):
                        reply.set_text("")
                        continue
                    reply.append(piece)
            finally:
                if not model_started.done():
                    model_started.set_result(None)
            if mounting is not None:
                await mounting
            final = self.engine.branch.turns[-1]
            reply.set_text(final.text)
            transcript.scroll_end(animate=False)
            if final.note:
                reply.mark(final.note)
            self._status("")
            if self.hot_seat and (holder := self.hot_seat.after_line()):
                self.notify(f"{holder} takes the hot seat.", timeout=4)
        except RehearseError as error:
            if mounting is not None:
                await mounting
            await self._take_back(said, reply, text, f"Not sent: {error}")
            self.notify(str(error), title="The client could not answer", severity="error", timeout=15)
        except asyncio.CancelledError:
            if mounting is not None:
                await mounting
            await self._take_back(said, reply, text, "Reply stopped. Your line is back in the box: edit it or press Enter.")
            raise
        finally:
            self.busy = False
            self._update_bar()

    def _only_the_opening(self, first_piece: asyncio.Future) -> bool:
        """Whether the piece already come is the opener the engine gave, not the model's words."""
        return (not first_piece.cancelled() and first_piece.exception() is None
                and bool(self.engine.last_opening) and first_piece.result() == self.engine.last_opening)

    @work(exclusive=True, group="queue")
    async def _show_queue_until(self, model_started: asyncio.Future) -> None:
        """A room's shared model: while this tab waits for it, say how many are ahead."""
        while not model_started.done():
            ahead = await self.engine.client.queue_ahead()
            if model_started.done():
                break
            if ahead:
                self._status(f"{self.client_name} will answer soon: the room's model has {ahead} "
                             f"ahead of you. (Esc stops)")
            await asyncio.sleep(QUEUE_POLL_SECONDS)
        self._status(f"{self.client_name} is answering… (Esc stops)" if self.busy else "")

    async def _take_back(self, said: ChatMessage, reply: ChatMessage, text: str, status: str) -> None:
        """Undo an exchange that did not complete, putting the trainee's words back in the reply box."""
        for message in (said, reply):
            if message.is_attached:
                await message.remove()
        self.restore_draft(text)
        self._status(status)

    def restore_draft(self, text: str) -> None:
        """Put the trainee's words back in an empty reply box (never over what is typed there)."""
        reply_box = self.query_one("#reply", Input)
        if text and not reply_box.value.strip():
            reply_box.value = text
            reply_box.cursor_position = len(text)

    def action_escape(self) -> None:
        """Stop the reply coming in; with none coming, offer to step out of the session."""
        if self.busy:
            self.workers.cancel_group(self, "model")
            return
        from simulator.tui.screens.confirm import ConfirmScreen

        spoke = any(t.speaker is Speaker.TRAINEE for t in self.engine.branch.turns)
        kept = ("It stays saved: r on the home screen resumes it." if spoke else
                "You have not said anything yet, so nothing is kept.")
        draft = self.query_one("#reply", Input).value.strip()
        unsent = f" The line in the box (“{draft[:60]}”) waits there too." if draft and spoke else ""

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(SessionOutcome(ended=False, draft=self.query_one("#reply", Input).value))

        self.app.push_screen(ConfirmScreen(f"Step out of the session with {self.client_name}? {kept}{unsent}"),
                             answered)

    def action_tap_in(self) -> None:
        if self.hot_seat is None:
            return
        self.notify(f"{self.hot_seat.tap_in()} takes the hot seat.", timeout=3)
        self._update_bar()

    def action_toggle_mode(self) -> None:
        self.coach = not self.coach
        self._show_branch()
        self.notify("Coach mode: feedback after each reply." if self.coach else
                    "Exam mode: all feedback waits for the debrief.", timeout=3)

    def action_retry_turn(self) -> None:
        """Take back the last line and try it another way; the first attempt is kept as a branch."""
        if self.busy:
            return
        lines = [t for t in self.engine.branch.turns if t.speaker is Speaker.TRAINEE]
        if not lines:
            self.notify("Nothing to retry yet.", timeout=3)
            return
        previous = lines[-1].text
        self.engine.retry_from(len(lines))
        self._show_branch()
        self.restore_draft(previous)
        self._status(f"Retrying line {len(lines)}; the first attempt is kept. Edit your line and press Enter.")

    # --- the end ---------------------------------------------------------------------------

    def action_end_session(self) -> None:
        if self.busy:
            self.notify(f"Wait for {self.client_name} to finish, then end the session.", timeout=4)
            return
        if not any(t.speaker is Speaker.TRAINEE for t in self.engine.branch.turns):
            self.notify("Say something first: the client can only rate what happened.", timeout=4)
            return
        from simulator.tui.screens.confirm import ConfirmScreen

        draft = self.query_one("#reply", Input).value.strip()
        unsent = f" The line in the box is not sent: “{draft[:60]}”." if draft else ""

        def answered(end: bool | None) -> None:
            if end and not self.busy:
                self.dismiss(ENDED)

        self.app.push_screen(ConfirmScreen(f"End the session with {self.client_name}? {self.client_name} fills in "
                                           f"the form next; you can still retry lines from the debrief.{unsent}"),
                             answered)
