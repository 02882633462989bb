"""Is a client reply in character for its archetype? The judge of `bench/client_fidelity.py` and of
`persona test`, made of checks in code, never the prompt that wrote the reply.

It reads the reply with the session guards (role flips, therapy-speak, gratitude and agreement
before trust allows, early disclosure, hidden text echoed) and adds what each archetype must do:
a yes-but client meets advice with a "yes, but" and a reason, a hostile one does not apologise
while guarded, a silent one says a few words. bench/data/client-replies/ holds replies labelled
by hand that this judge is checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.domain import Archetype, HiddenState, Persona
from simulator.engine import hidden_state
from simulator.engine.directions import OPEN_AT_TRUST
from simulator.engine.guards import ACCEPTS_ADVICE, QUOTED, THERAPY_SPEAK, check_reply

YES_BUT = re.compile(
    r"\bbut\b|\b(i'?ve|i have|we'?ve|i|we) (already )?(tried|done|looked|thought|asked|checked)\b|\b(tried|done) that\b|"
    r"\bso,? no\b|"
    r"\b(doesn'?t|won'?t|can'?t|wouldn'?t|didn'?t|never) (work|help|happen|fit)|\bin which (hour|world)\b|"
    r"\bwho('?d| would| will)\b|\bwhen (exactly|would i|am i)\b|\bwith what (time|money)\b",
    re.IGNORECASE,
)
"""A suggestion met with a reason it will fail: "yes, but…", "I've tried that", "who'd watch Mum?"."""
APOLOGY = re.compile(r"\b(i'?m sorry|sorry|i apologi[sz]e|my apologies|forgive me)\b", re.IGNORECASE)
GUARDED_ARCHETYPES = (Archetype.HOSTILE, Archetype.CRITICAL, Archetype.ACCUSING, Archetype.ARGUMENTATIVE)


@dataclass(frozen=True)
class ReplyVerdict:
    problems: tuple[str, ...]
    """Everything that is out of character, in the guards' words and this module's."""
    yes_but: bool | None
    """For a yes-but client answering advice: whether the reply pushes back; None otherwise."""

    @property
    def in_character(self) -> bool:
        return not self.problems

    def has(self, start: str) -> bool:
        return any(problem.startswith(start) for problem in self.problems)


def judge_reply(reply: str, persona: Persona, state: HiddenState, advice: bool = False,
                instructions: str = "", earlier: list[str] | None = None, line: str = "") -> ReplyVerdict:
    """`advice`: the trainee's `line` gave advice (from the rater's judgement of it, or a script)."""
    guards = check_reply(reply, persona, hidden_state.unspeakable(persona, state), instructions, earlier, state, line)
    problems = list(guards.problems)  # a reply said before is no one's voice: it counts too
    unquoted = QUOTED.sub(" ", reply)
    archetype = persona.profile.archetype
    guarded = state.trust < OPEN_AT_TRUST
    yes_but = None
    if archetype is Archetype.YES_BUT and advice:
        yes_but = bool(YES_BUT.search(unquoted)) and not ACCEPTS_ADVICE.search(unquoted)
        if not yes_but and guarded:
            problems.append("took advice without a yes-but")
    if archetype in GUARDED_ARCHETYPES and guarded and APOLOGY.search(unquoted):
        problems.append("apologised before trusting the therapist")
    if THERAPY_SPEAK.search(unquoted) and "used therapy-speak" not in problems:
        problems.append("used therapy-speak")
    return ReplyVerdict(tuple(problems), yes_but)
