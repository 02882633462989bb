"""The session engine: the transcript, the client's replies, the appraisals that move the hidden
state, branches for retries, and the end-of-session form. Every turn is saved as it happens."""

from __future__ import annotations

import asyncio
import copy
import re
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, suppress
from dataclasses import dataclass

from simulator.domain import (
    Branch,
    ClientForm,
    HiddenFeeling,
    HiddenState,
    Persona,
    Prediction,
    Session,
    Speaker,
    Turn,
    TurnKind,
    now_utc,
)
from simulator.engine import hidden_state
from simulator.engine.directions import behaviour_now, holding_gesture, reaction_to, reply_length
from simulator.engine.guards import SERIOUS, GuardResult, badness, check_reply, correction_note, hidden_text
from simulator.engine.off_task import looks_off_task
from simulator.engine.openers import choose_opening, opener_moment, opener_stands_alone
from simulator.errors import ModelError, RehearseError
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.appraisal import SILENCE_TEXT, Appraiser
from simulator.rating.director_ear import traps_heard
from simulator.rating.form import fill_form
from simulator.storage.sessions import SessionStore
from simulator.storage.writer import SessionWriter

SESSION_START = "*The therapist invites you in, and the session begins.*"
"""The first user message, so the client's opening line follows a user turn as chat templates expect."""
SILENT_REPLY = "*says nothing*"
PARTIAL_SAVE_EVERY = 0.5
"""Seconds between saves of a reply still streaming, so a killed process keeps what was said."""


def _held_back(feeling: HiddenFeeling) -> str:
    """A speakable feeling for the state note: its label, then why, so the client can say it in its
    own words."""
    reason = " ".join(feeling.reason.split()).rstrip(".")
    return f"{feeling.feeling} ({reason})." if reason else f"{feeling.feeling}."


@dataclass(frozen=True)
class Redo:
    """Yielded by `say` when a streamed reply failed a guard and is being written again."""

    reason: str


def new_session_id(persona_id: str) -> str:
    return f"{now_utc():%Y%m%d-%H%M%S}-{persona_id}-{secrets.token_hex(2)}"


META_LINE = re.compile(r"^[\s*_]*(?:\[[^\]\n]*\]|\((?:the )?(?:end|session end)[^)\n]*\))[\s*_.]*$",
                       re.IGNORECASE | re.MULTILINE)
"""A line that is a note about the script, not the client's speech: "**[End of session]**"."""


META_SECTION = re.compile(
    r"\n\s*(?:[-*_]{3,}\s*(?:\n|$)|[*_#\s]*(?:explanation|note|notes|analysis|commentary|rationale)\b[*_\s]*:|"
    r"[*_#\s]*this (?:script|response|reply|dialogue)\b)",
    re.IGNORECASE)
"""Where a model stops being the client and starts commenting on the scene: a rule ("---") or a
heading such as "**Explanation:**" on a line of its own (Leo, six replies in fidelity run 10)."""


def tidy_reply(text: str, name: str) -> str:
    """Drop a leading speaker label some models add, such as 'Dana:', lines of script notes, and
    everything from a commentary section on."""
    first_name = re.escape(name.split()[0])
    if section := META_SECTION.search(text):
        text = text[:section.start()]
    text = re.sub(rf"^\s*(?:{first_name}[^:\n]{{0,30}}|client)\s*:\s*", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"\n{3,}", "\n\n", META_LINE.sub("", text)).strip()


def _take_back(branch: Branch, partial: Turn) -> bool:
    """Remove a partial reply from the branch; True if it was there."""
    kept = [turn for turn in branch.turns if turn is not partial]
    removed = len(kept) != len(branch.turns)
    branch.turns[:] = kept
    return removed


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
        self.writer = SessionWriter(store)
        """Every save after the first goes through here, in order and off the event loop."""
        # A local engine shares the CPU with the client: appraise in the trainee's thinking time, one
        # question at a time. A remote endpoint appraises side by side with the client's reply.
        self.appraise_alongside = client.endpoint.backend != "embedded"
        self.appraiser = Appraiser(rater, prompts, persona, concurrent=self.appraise_alongside)
        self._appraisals: asyncio.Task[None] | None = None
        """The latest queued appraisal; each waits for the one before it, so states chain in order."""
        self._reactions: asyncio.Task[None] | None = None
        """The latest queued inner reaction, voiced after its line's judgement has moved the state."""
        self.reads_ahead = client.endpoint.backend == "embedded"
        """Whether the client's engine reads each reply and the next state note before the next line
        (only a local engine: a remote one caches on its own, and would bill the call)."""
        self._read_ahead: asyncio.Task[None] | None = None
        self._client_idle = asyncio.Event()
        self._client_idle.set()
        self._system_prompt: str | None = None
        self.voice_reactions = True
        """Whether heads-judged lines get their inner reaction voiced (benches of the client turn it off)."""
        self.sampling_seed: int | None = None
        """Benches set one so runs can be compared: every first draft is sampled with it, a rewrite with
        it plus one. None: first drafts take the engine's own seed, rewrites a random one."""
        self.last_opening = ""
        """The opener the latest reply (or its rewrite) started from; "" when the model wrote it all."""
        self.guard_counts: Counter[str] = Counter()
        """Replies rewritten after failing a guard, those cut back to their opener, those that failed
        twice, and those shown with a note."""
        self._notes_given: dict[tuple[str, int, str], str] = {}
        """(branch id, trainee turn index, "state" or "cue") to the director's note given with that line,
        replayed word for word so the engine's prompt cache still matches (a resumed session recomputes them)."""
        self.on_appraised: Callable[[Branch, int], None] | None = None
        """Called with the branch and turn index each time a trainee turn has been appraised, or has
        failed to be (its note then says why)."""

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
        session = Session(id=new_session_id(persona.id), persona_id=persona.id, trainee=trainee,
                          initial_state=hidden_state.initial_state(persona))
        session.turns.append(Turn(Speaker.CLIENT, persona.profile.opening_lines[0]))
        store.save(session)
        return cls(persona, session, client, rater, prompts, store)

    @classmethod
    def resume(
        cls,
        persona: Persona,
        session: Session,
        client: ChatModel,
        rater: ChatModel,
        prompts: PromptRenderer,
        store: SessionStore,
    ) -> SessionEngine:
        """Carry on a saved session (from `store.load`). Claims it first, so a session open in another
        process fails here with a StorageError. A reply cut off by a crash stays as it was saved
        (`complete=False`) and the trainee speaks next; a last line still awaiting its reply is
        answered by the next `say`. Called inside a running event loop, it also queues the appraisals
        that the crash lost."""
        if session.persona_id != persona.id:
            raise ValueError(f"session {session.id} is with {session.persona_id}, not {persona.id}")
        store.claim(session.id)
        engine = cls(persona, session, client, rater, prompts, store)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return engine
        turns = engine.branch.turns
        for index, turn in enumerate(turns):
            unanswered = index == len(turns) - 1
            if turn.speaker is Speaker.TRAINEE and turn.state_after is None and not unanswered:
                engine._queue_appraisal(engine.branch, index)
        return engine

    # --- state -----------------------------------------------------------------------------

    def replace_persona(self, persona: Persona) -> None:
        """From the next reply on, the client plays `persona` and the rater appraises as it; the
        transcript and hidden state stay."""
        self.persona = persona
        self.appraiser = Appraiser(self.rater, self.prompts, persona, concurrent=self.appraise_alongside)
        self._system_prompt = None

    @property
    def branch(self) -> Branch:
        return self.session.branch()

    def state_before(self, index: int, branch: Branch | None = None) -> HiddenState:
        """The hidden state in force when turn `index` of a branch (the active one) was spoken."""
        for turn in reversed((branch or self.branch).turns[:index]):
            if turn.speaker is Speaker.TRAINEE and turn.state_after:
                return turn.state_after
        return self.session.initial_state or hidden_state.initial_state(self.persona)

    @property
    def state(self) -> HiddenState:
        return self.state_before(len(self.branch.turns))

    @property
    def trainee_spoke(self) -> bool:
        """Whether any branch holds a line (or silence) of the trainee's."""
        return any(turn.speaker is Speaker.TRAINEE for branch in self.session.branches for turn in branch.turns)

    @property
    def awaiting_reply(self) -> bool:
        """True when the trainee's last line has no client reply yet (the last call failed)."""
        return bool(self.branch.turns) and self.branch.turns[-1].speaker is Speaker.TRAINEE

    # --- the client ------------------------------------------------------------------------

    def _state_note(self, state: HiddenState) -> str:
        """The director's note before a line: how this client feels and behaves at `state`."""
        return self.prompts.render(
            "client_state.j2",
            profile=self.persona.profile,
            trust=state.trust,
            trust_label=hidden_state.describe_trust(state.trust),
            resistance=state.resistance,
            resistance_label=hidden_state.describe_resistance(state.resistance),
            behaviour=behaviour_now(self.persona.profile.archetype, state),
            speakable=[_held_back(f) for f in hidden_state.ready_to_voice(self.persona, state)],
        )

    def _cue(self, state: HiddenState, line: str) -> str:
        """The director's cue after a line (empty for a silence): how to meet it, and how long to reply."""
        archetype = self.persona.profile.archetype
        reaction = reaction_to(archetype, state, traps_heard(line), strange=looks_off_task(line))
        return self.prompts.render("client_cue.j2", reaction=reaction,
                                   length=reply_length(archetype, state))

    def _note(self, branch: Branch, index: int, kind: str) -> str:
        """The note of `kind` ("state" before, "cue" after) for trainee turn `index` of `branch`, or
        for the line still to come at index len(turns): as first given, so the prompt the engine has
        cached stays the same from one turn to the next."""
        key = (branch.id, index, kind)
        if key not in self._notes_given:
            state = self.state_before(index, branch)
            line = branch.turns[index].text if index < len(branch.turns) else ""
            self._notes_given[key] = self._state_note(state) if kind == "state" else self._cue(state, line)
        return self._notes_given[key]

    def _example_messages(self) -> list[Message]:
        """The persona's example exchanges, as earlier turns the model continues in the same voice."""
        messages: list[Message] = []
        for example in self.persona.client.example_exchanges:
            messages.append({"role": "user", "content": example.therapist or SILENCE_TEXT})
            messages.append({"role": "assistant", "content": example.client})
        return messages

    def client_messages(self, correction: str = "", *, upcoming: bool = False) -> list[Message]:
        """Persona and examples first and unchanging, then the transcript: each trainee line between
        the state note before it and the cue after it, as first given. `correction` joins the live
        cue. With `upcoming`, the prompt ends with the state note for the line still to come, which a
        local engine reads ahead (`read_ahead`) so that the line and its cue are all it reads then."""
        if self._system_prompt is None:
            self._system_prompt = self.prompts.render(
                "client_system.j2", profile=self.persona.profile, client=self.persona.client
            )
        messages: list[Message] = [
            {"role": "system", "content": self._system_prompt},
            *self._example_messages(),
            {"role": "user", "content": SESSION_START},
        ]
        branch = self.branch
        live = len(branch.turns) - 1
        for index, turn in enumerate(branch.turns):
            if turn.speaker is Speaker.TRAINEE:
                text = SILENCE_TEXT if turn.kind is TurnKind.SILENCE else turn.text
                messages.append({"role": "system", "content": self._note(branch, index, "state")})
                messages.append({"role": "user", "content": text})
                if index == live and correction:
                    cue = self._cue(self.state_before(index, branch), turn.text) + "\n" + correction
                    self._notes_given[(branch.id, index, "cue")] = cue
                messages.append({"role": "system", "content": self._note(branch, index, "cue")})
            else:
                messages.append({"role": "assistant", "content": turn.text})
        if upcoming and messages[-1]["role"] != "system":
            messages.append({"role": "system", "content": self._note(branch, len(branch.turns), "state")})
        return messages

    async def say(self, text: str, *, silence: bool = False, by: str = "",
                  keep_cut_off: bool = False) -> AsyncIterator[str | Redo]:
        """Record the trainee's line (or silence), then stream the client's reply and record it too.

        Yields the reply piece by piece; a `Redo` means the pieces so far failed a guard and a new
        reply follows. If the previous call failed, the unanswered line is replaced by this one.
        When the model fails mid-reply the line awaits its reply again, or with `keep_cut_off` (no
        trainee there to try again) what was shown is saved as a reply marked cut off.
        """
        text = text.strip()
        if not text and not silence:
            raise ValueError("the trainee's line is empty")
        if self.branch.ended:
            raise ValueError("the session has ended")
        turn = Turn(Speaker.TRAINEE, "" if silence else text,
                    kind=TurnKind.SILENCE if silence else TurnKind.SPEECH,
                    off_task=not silence and looks_off_task(text), by=by)
        if self.awaiting_reply:
            self.branch.turns[-1] = turn
            self._notes_given.pop((self.branch.id, len(self.branch.turns) - 1, "cue"), None)
        else:
            self.branch.turns.append(turn)
        trainee_index = len(self.branch.turns) - 1
        # The line is on its way to disk while the request goes out; no reply is shown before it is there.
        line_saved: asyncio.Future[None] | None = self.writer.save_soon(self.session)
        self.session.client_model = await self.client.model_name()
        # A remote rater works side by side with the client, but starts once the first words are out:
        # its requests then cannot hold up the reply the trainee is waiting for.
        appraisal_queued = not self.appraise_alongside

        # The client plays from the latest appraised state; an appraisal still running applies next turn.
        state = self.state
        instructions = self._instructions(self.branch, trainee_index)
        moment = opener_moment(state, () if silence else traps_heard(text), silence=silence,
                               strange=turn.off_task, question="?" in text)
        replies_before = [t.text for t in self.branch.turns if t.speaker is Speaker.CLIENT]
        correction = ""
        note = ""
        branch = self.branch
        # The reply so far, saved now and then as a cut-off turn: only a killed process leaves it on
        # disk, because every other way out below takes it back (the trainee's line then awaits a reply).
        partial = Turn(Speaker.CLIENT, "", complete=False)
        last_save = time.monotonic()
        first_draft: tuple[str, GuardResult] | None = None
        pieces: list[str] = []
        self._client_idle.clear()
        try:
            for attempt in range(2):
                pieces = []
                new_line = False
                opening = self.last_opening = choose_opening(self.persona, moment, replies_before, trainee_index,
                                                             attempt) if self.client.endpoint.prefill else ""
                async with aclosing(self.client.stream(
                        self.client_messages(correction), self.persona.sampling,
                        seed=self._seed(attempt), opening=opening)) as stream:
                    async for piece in stream:
                        if line_saved is not None:
                            await line_saved
                            line_saved = None
                        pieces.append(piece)
                        new_line = new_line or "\n" in piece
                        if new_line and META_SECTION.search("".join(pieces)):
                            break  # the client has finished; what follows is commentary on the scene
                        if time.monotonic() - last_save >= PARTIAL_SAVE_EVERY:
                            if not any(turn is partial for turn in branch.turns):
                                branch.turns.append(partial)
                            partial.text = tidy_reply("".join(pieces), self.persona.profile.name)
                            self.writer.save_soon(self.session)
                            last_save = time.monotonic()
                        yield piece
                        if not appraisal_queued:
                            self._queue_appraisal(branch, trainee_index)
                            appraisal_queued = True
                shown = _take_back(branch, partial)
                reply = tidy_reply("".join(pieces), self.persona.profile.name)
                if not reply:
                    # No words and no gesture: the model failed, it did not choose a silence.
                    if attempt == 0:
                        self.guard_counts["rewritten"] += 1
                        yield Redo("the model sent an empty reply")
                        continue
                    raise ModelError("the client model sent an empty reply twice",
                                     "say your line again; if it keeps happening, try another client model")
                earlier = [turn.text for turn in branch.turns if turn.speaker is Speaker.CLIENT]
                unspeakable = hidden_state.unspeakable(self.persona, state)
                verdict = check_reply(reply, self.persona, unspeakable, instructions, earlier, state, turn.text,
                                      opening=opening)
                if verdict.passed:
                    break
                if opener_stands_alone(opening, reply) and check_reply(
                        opening, self.persona, unspeakable, instructions, earlier, state, turn.text,
                        opening=opening).passed:
                    # A finished opener is the client's whole reply in itself; what the model added to it
                    # failed. Cutting it back costs no second draft, and the opener alone holds.
                    self.guard_counts["cut_to_opener"] += 1
                    yield Redo("; ".join(verdict.problems))
                    reply = opening
                    yield reply
                    break
                if attempt == 0:
                    if shown:
                        await self.writer.save(self.session)  # a rejected reply must not outlive a crash
                    first_draft = (reply, verdict)
                    self.guard_counts["rewritten"] += 1
                    correction = correction_note(verdict, self.persona)
                    yield Redo("; ".join(verdict.problems))
                else:
                    # Both drafts failed: keep the one nearer the client; a lesser slip is the client's
                    # own. A role flip, or a hidden feeling said too soon, would teach the trainee
                    # something false: the client holds back with a gesture of theirs instead.
                    self.guard_counts["failed_twice"] += 1
                    if first_draft and badness(first_draft[1]) < badness(verdict):
                        reply, verdict = first_draft
                    serious = [p for p in verdict.problems if badness(GuardResult((p,))) >= SERIOUS]
                    if serious:
                        self.guard_counts["held_back"] += 1
                        yield Redo("; ".join(serious))
                        reply = holding_gesture(self.persona.profile.archetype)
                        yield reply
        except RehearseError:
            cut_off = tidy_reply("".join(pieces), self.persona.profile.name) if keep_cut_off else ""
            if cut_off:
                partial.text = cut_off
                if not any(turn is partial for turn in branch.turns):
                    branch.turns.append(partial)
                with suppress(RehearseError):
                    self.writer.save_now(self.session)
                if not appraisal_queued:
                    self._queue_appraisal(branch, trainee_index)
            elif _take_back(branch, partial):
                with suppress(RehearseError):
                    self.writer.save_now(self.session)
            raise
        except BaseException:
            if _take_back(branch, partial):
                with suppress(RehearseError):
                    self.writer.save_now(self.session)
            raise
        finally:
            self._client_idle.set()
        if line_saved is not None:  # the reply was empty: nothing waited for the line yet
            await line_saved
        branch.turns.append(Turn(Speaker.CLIENT, reply, note=note))
        await self.writer.save(self.session)
        if not self.appraise_alongside or not appraisal_queued:
            self._queue_appraisal(branch, trainee_index)
        if self.reads_ahead:
            self._read_ahead = asyncio.create_task(self._read_ahead_after(self._appraisals, branch, len(branch.turns)))

    async def _read_ahead_after(self, judging: asyncio.Task[None] | None, branch: Branch, turns: int) -> None:
        """Once the line just answered is judged, have the local engine read the reply and the next
        line's state note, in the trainee's thinking time: when the line comes, only it and its cue
        are left to read before the first word."""
        if judging is not None:
            await asyncio.wait([judging])
        if branch is not self.branch or len(branch.turns) != turns or not self._client_idle.is_set():
            return  # the trainee spoke first: that turn's reply has read it all already
        with suppress(RehearseError):
            await self.client.complete(self.client_messages(upcoming=True), max_tokens=1)

    def _seed(self, attempt: int) -> int | None:
        """A rewrite must not come back word for word: it gets a draw of its own."""
        if self.sampling_seed is not None:
            return self.sampling_seed + attempt
        return secrets.randbelow(2**31) if attempt else None

    def _instructions(self, branch: Branch, index: int) -> str:
        """The hidden text a reply to trainee turn `index` must never recite: its director's notes
        and the persona's hidden text."""
        notes = [self._note(branch, index, kind) for kind in ("state", "cue")]
        return "\n".join([*notes, *hidden_text(self.persona)])

    async def wait_in_silence(self) -> AsyncIterator[str | Redo]:
        """The trainee says nothing and lets the silence work."""
        async for piece in self.say("", silence=True):
            yield piece

    async def warm_up(self) -> None:
        """Have a local engine read the persona and opening now, so the first reply starts at once.

        Only for the embedded engine: a remote endpoint caches on its own, and would bill the call.
        """
        if self.client.endpoint.backend != "embedded":
            return
        await self.client.complete(self.client_messages(upcoming=True), max_tokens=1)
        if self.appraiser.needs_rater_model:
            context = self.appraiser.context_message(self.branch.turns)
            await self.rater.complete([context, {"role": "user", "content": "Ready?"}], max_tokens=1)
        await self.appraiser.warm_up()

    # --- appraisal -------------------------------------------------------------------------

    def _queue_appraisal(self, branch: Branch, index: int) -> None:
        previous = self._appraisals
        self._appraisals = asyncio.create_task(self._appraise_after(previous, branch, index))

    async def _appraise_after(self, previous: asyncio.Task[None] | None, branch: Branch, index: int) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await self._appraise(branch, index)
        except RehearseError as error:
            turn = branch.turns[index]
            turn.note = f"not rated: {error}"
            with suppress(RehearseError):
                await self.writer.save(self.session)
            if self.on_appraised is not None:
                self.on_appraised(branch, index)

    async def _client_is_idle(self) -> None:
        """On a local engine, appraisal questions wait while the client is speaking."""
        if not self.appraise_alongside:
            await self._client_idle.wait()

    async def _appraise(self, branch: Branch, index: int) -> None:
        turn = branch.turns[index]
        voice_later = False
        if turn.off_task:
            turn.state_after = self.state_before(index, branch)
        else:
            turns = branch.turns[: index + 1]
            # Heads judge in a fraction of a second: the state moves and the card shows at once, and
            # the rater model voices the inner reaction after, in the trainee's thinking time.
            voice_later = self.appraiser.voices_reaction_apart
            if voice_later:
                appraisal = await self.appraiser.judge(turn, self._client_is_idle, turns)
            else:
                appraisal = await self.appraiser.appraise(turns, before_each=self._client_is_idle)
            turn.appraisal = appraisal
            turn.note = ""  # a trainee line's only note says it was not rated (see _appraise_after)
            turn.state_after = hidden_state.apply_appraisal(self.state_before(index, branch), appraisal)
        self.session.rater_model = await self.rater.model_name()
        self.session.rater_judge = self.rater.endpoint.judge
        await self.writer.save(self.session)
        if self.on_appraised is not None:
            self.on_appraised(branch, index)
        if voice_later and self.voice_reactions:
            previous = self._reactions
            self._reactions = asyncio.create_task(self._voice_after(previous, branch, index))

    async def _voice_after(self, previous: asyncio.Task[None] | None, branch: Branch, index: int) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        if self.appraiser.voices_with_model and (reading := self._read_ahead) is not None and not reading.done():
            # One CPU: a second or so of reading ahead first keeps the next reply quick; run side
            # by side, both crawl (seen: 90 tokens read in 11 s while a reaction was voiced).
            await asyncio.wait([reading])
        turn = branch.turns[index]
        judged = turn.appraisal
        if judged is None:
            return
        try:
            voiced = await self.appraiser.voice_reaction(branch.turns[: index + 1], judged,
                                                         before_each=self._client_is_idle)
        except RehearseError as error:
            turn.note = f"no inner reaction: {error}"
        else:
            if turn.appraisal is not judged:
                return  # judged again meanwhile (a persona reload): that judgement voices its own
            turn.appraisal = voiced
        with suppress(RehearseError):
            await self.writer.save(self.session)
        if self.on_appraised is not None:
            self.on_appraised(branch, index)

    async def settle(self) -> None:
        """Wait until every queued appraisal, then every inner reaction and the engine's reading
        ahead, is done. A failed one is noted, never fatal."""
        await _finish(lambda: self._appraisals)
        await _finish(lambda: self._reactions)  # read after the appraisals: each queues its reaction
        await _finish(lambda: self._read_ahead)

    # --- branches --------------------------------------------------------------------------

    def retry_from(self, trainee_turn: int) -> Branch:
        """Fork a new branch that replays the trainee's `trainee_turn`-th line (1-based) differently."""
        trainee_indexes = [i for i, t in enumerate(self.branch.turns) if t.speaker is Speaker.TRAINEE]
        if not 1 <= trainee_turn <= len(trainee_indexes):
            raise ValueError(f"there is no trainee turn {trainee_turn}; this branch has {len(trainee_indexes)}")
        fork_index = trainee_indexes[trainee_turn - 1]
        parent = self.branch
        branch = Branch(
            id=f"retry-{len(self.session.branches)}",
            turns=copy.deepcopy(parent.turns[:fork_index]),
            forked_from=parent.id,
            fork_turn=fork_index,
        )
        self.session.branches.append(branch)
        self.session.active = branch.id
        self.writer.save_now(self.session)
        return branch

    def switch_to(self, branch_id: str) -> Branch:
        self.session.branch(branch_id)
        self.session.active = branch_id
        return self.branch

    # --- the end ---------------------------------------------------------------------------

    def record_prediction(self, prediction: Prediction) -> None:
        """Keep the trainee's prediction of the form with the active branch."""
        self.branch.prediction = prediction
        self.writer.save_now(self.session)

    async def end(self, prediction: Prediction | None = None) -> ClientForm:
        """Ask the client (through the rater model) to fill in the post-session form, and save it."""
        await self.settle()
        branch = self.branch
        if prediction is not None:
            self.record_prediction(prediction)
        self.session.rater_model = await self.rater.model_name()
        self.session.rater_judge = self.rater.endpoint.judge
        form = await fill_form(self.rater, self.prompts, self.persona, branch.turns)
        branch.form = form
        branch.ended_at = now_utc()
        await self.writer.save(self.session)
        return form


async def _finish(latest: Callable[[], asyncio.Task[None] | None]) -> None:
    """Wait for a chain of tasks, each queued after the one before, until its latest is done."""
    while (task := latest()) is not None and not task.done():
        await asyncio.wait([task])
    if (task := latest()) is not None:
        task.result()  # an unexpected failure is a bug: let it show
