"""Is a client reply in character for its archetype? The judge of `bench/client_fidelity.py` and of
`persona test`, never the prompt that wrote the reply.

Two parts. Checks in code (`judge_reply`) read the reply with the session guards (role flips,
therapy-speak, gratitude and agreement before trust allows, early disclosure, hidden text echoed)
and add what each archetype must do: a yes-but client meets advice with a "yes, but" and a reason,
a hostile one does not apologise while guarded, a silent one says a few words. Then, where the
bundled model's embeddings are at hand, a head trained on replies people labelled by hand
(bench/data/client-replies/, `bench/fidelity_learned_judge.py`) reads the exchange and the moment
and says whether a supervisor would call it this client (`FidelityJudge`). The code checks alone
missed most of what people called out of character (κ 0.07 on run 8's replies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from simulator.domain import Archetype, HiddenState, Persona
from simulator.engine import hidden_state
from simulator.engine.directions import OPEN_AT_TRUST
from simulator.engine.guards import ACCEPTS_ADVICE, QUOTED, THERAPY_SPEAK, check_reply
from simulator.rating.heads import HeadSet, load_heads
from simulator.rating.line_features import unit

YES_BUT = re.compile(
    r"\bbut\b|\b(i'?ve|i have|we'?ve|i|we) (already )?(tried|done|looked|thought|asked|checked)\b|\b(tried|done) that\b|"
    r"\bso,? no\b|\byeah,? right[.!]|"
    r"\b(doesn'?t|won'?t|can'?t|wouldn'?t|didn'?t|never) (work|help|happen|fit)|\bin which (hour|world)\b|"
    r"\bwho('?d| would| will)\b|\bwhen (exactly|would i|am i)\b|\bwith what (time|money)\b|"
    r"\bexcept\b|\bproblem is\b|\bif (i|we) had\b",
    re.IGNORECASE,
)
"""A suggestion met with a reason it will fail: "yes, but…", "I've tried that", "who'd watch Mum?",
"Great idea, except…". Against people's yes-but labels on fidelity runs 12-15 (52 pieces of advice):
46 agree; 44 before "except" and "problem is" were added (session 11, after reading run 15). "If I
had …" ("Maybe, if I had a car.") added in session 13 after reading run 21: people called all 11
labelled replies with it a yes-but."""
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


LEARNED_PROBLEM = "reads out of character (the learned judge)"
WEIGHTS = "fidelity"
"""The shipped head set `simulator/rating/weights/fidelity.json`."""


def exchange_text(line: str, reply: str) -> str:
    """What the head's embedding reads: the trainee's line and the client's answer to it."""
    return f"Therapist: {line or '(silence)'}\nClient: {reply}"


def moment_features(reply: str, archetype: Archetype, state: HiddenState, code_problems: tuple[str, ...]) -> list[float]:
    """The head's other block: which archetype, the hidden state, what the code checks found, length."""
    return [*(float(archetype is a) for a in Archetype),
            state.trust / 10, state.resistance / 10, float(state.trust < OPEN_AT_TRUST),
            float(bool(code_problems)), min(len(code_problems), 3) / 3,
            min(len(reply.split()), 60) / 60]


class FidelityJudge:
    """The code checks, then the shipped head over the bundled model's embedding of the exchange.

    `embedder` is the rater's (an `Embedder`); without one, or without the shipped weights, only
    the code checks judge, and `method` says so.
    """

    def __init__(self, embedder: Any = None, heads: HeadSet | None = None) -> None:
        self.embedder = embedder
        self.heads = heads if heads is not None else (load_heads(WEIGHTS) if embedder is not None else None)

    @property
    def learned(self) -> bool:
        return self.embedder is not None and self.heads is not None

    @property
    def method(self) -> str:
        if not self.learned:
            return "checks in code only (no bundled embedding model for the learned judge)"
        scores = self.heads.card.get("scores", {}).get("run_held_out", {})
        figure = f", κ {scores['kappa']} with people on a labelled run it never saw" if "kappa" in scores else ""
        return f"checks in code, then a head trained on {self.heads.card.get('rows', '?')} replies labelled by hand{figure}"

    async def judge(self, reply: str, persona: Persona, state: HiddenState, advice: bool = False,
                    instructions: str = "", earlier: list[str] | None = None, line: str = "") -> ReplyVerdict:
        verdict = judge_reply(reply, persona, state, advice, instructions, earlier, line)
        if not self.learned:
            return verdict
        vector = (await self.embedder.embed([exchange_text(line, reply)]))[0]
        features = {"embedding": unit(vector),
                    "moment": moment_features(reply, persona.profile.archetype, state, verdict.problems)}
        if self.heads.heads["in_character"].yes(features):
            return verdict
        return replace(verdict, problems=(*verdict.problems, LEARNED_PROBLEM))
