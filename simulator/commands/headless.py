"""The headless play loop of `rehearse session` and `rehearse resume --say`: each line in turn, the
reply streamed to standard output, the form at the end of each branch.

A model that fails mid-reply stops the run: what the client said so far is saved as a reply marked
cut off, and the error names the lines not yet sent, as a `rehearse resume` command that sends them.
"""

from __future__ import annotations

import json
import shlex
import sys

from simulator.errors import RehearseError
from simulator.terminal_text import terminal_json, terminal_safe

CUT_OFF = " [cut off]"


class HeadlessStopped(RehearseError):
    """A line's reply failed; the session is saved and can be resumed."""


class HeadlessPlay:
    def __init__(self, context, engine, *, show: bool) -> None:
        self.context = context
        self.engine = engine
        self.show = show
        self.out = sys.stdout
        self.name = terminal_safe(engine.persona.profile.name)
        self._last = ""
        """The last text written, so a cut-off mark is spaced right."""

    def print_turns(self) -> None:
        """The branch so far, as `rehearse resume` shows it before carrying on."""
        from simulator.domain import Speaker, TurnKind

        for turn in self.engine.branch.turns:
            who = self.name if turn.speaker is Speaker.CLIENT else "You"
            text = "*waits in silence*" if turn.kind is TurnKind.SILENCE else terminal_safe(turn.text)
            self.write(f"{who}: {text}{'' if turn.complete else CUT_OFF}\n")

    def write(self, text: str) -> None:
        self._last = text or self._last
        if self.show:
            self.out.write(text)
            self.out.flush()

    async def say(self, text: str, *, silence: bool | None = None, unsent: list[str] | None = None) -> None:
        """One trainee line and the client's reply. `unsent` are the lines after it, named in the
        error if this reply fails."""
        from simulator.engine.session import Redo

        silence = not text.strip() if silence is None else silence
        # The last line's appraisal sets the state the client plays from, as a trainee's thinking
        # time allows in the app; without the wait every reply would play from a stale state.
        await self.engine.settle()
        self.write(f"\nYou: {terminal_safe(text) or '*waits in silence*'}\n{self.name}: ")
        try:
            async for piece in self.engine.say(text, silence=silence, keep_cut_off=True):
                # Each piece is made safe on its own: with every ESC gone, no sequence can span two pieces.
                self.write(f"\n  (rewritten: {terminal_safe(piece.reason)})\n{self.name}: " if isinstance(piece, Redo)
                           else terminal_safe(piece))
        except RehearseError as error:
            self.write(f"{CUT_OFF.lstrip() if self._last[-1:].isspace() else CUT_OFF}\n")
            await self.engine.settle()  # a line answered in part is still rated before the run stops
            raise self._stopped(error, unsent or []) from None
        self.write("\n")

    def _stopped(self, error: RehearseError, unsent: list[str]) -> HeadlessStopped:
        session_id = self.engine.session.id
        turns = self.engine.branch.turns
        kept = "what the client said so far is saved, marked cut off" if turns and not turns[-1].complete \
            else "your line is saved and awaits its reply"
        resume = " ".join(["rehearse resume", session_id, *(f"--say {shlex.quote(line)}" for line in unsent)])
        lines = f"{len(unsent)} line{'s' if len(unsent) != 1 else ''} not sent; " if unsent else ""
        return HeadlessStopped(f"the client's reply failed: {error.what}",
                               f"{kept} in {self.context.store.path_for(session_id)}; {lines}carry on with `{resume}`")

    async def finish_branch(self, prediction) -> None:
        """The client's form for the branch, unless it has one or its last line awaits a reply."""
        from simulator.domain import EMPATHY_MAX, SESSION_MAX, Speaker

        engine = self.engine
        if engine.branch.ended or engine.awaiting_reply:
            return
        form = await engine.end(prediction)
        verdict = "pass" if form.passed else "fail"
        risk = " — at risk" if form.at_risk else ""
        self.write(f"\n[{engine.branch.id}] Empathy {form.empathy_total}/{EMPATHY_MAX}, grade {form.grade} "
                   f"({verdict}); session {form.session_total}/{SESSION_MAX}{risk}\n")
        self.write(f'{self.name}: "{terminal_safe(form.comment)}"\n')
        lines = [turn for turn in engine.branch.turns if turn.speaker is Speaker.TRAINEE]
        for number, turn in enumerate(lines, start=1):
            if turn.appraisal is None and turn.note:
                self.write(f"Your line {number} was {terminal_safe(turn.note)}\n")

    def report(self, as_json: bool) -> None:
        """The whole session as one JSON document, or where it was saved."""
        from simulator.commands.session import with_calibration
        from simulator.serialization import session_to_dict

        session = self.engine.session
        if as_json:
            document = with_calibration(session_to_dict(session), session)
            self.out.write(terminal_json(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")
        else:
            self.out.write(f"Saved to {self.context.store.path_for(session.id)}\n")
