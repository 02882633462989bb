"""`persona test`: play a persona's probes and a few standard trainee lines against the client model.

Each line is said at the start of a fresh session, with exactly the prompt a real session sends, and
only the client's first reply is kept. Every reply, probe or standard line, is judged in character
by `fidelity.FidelityJudge` (checks in code, then the learned head where the bundled embedding model
is at hand: the judge of bench/client_fidelity.py); a probe reply must also do what the instructor
expects, by the rater model's judge (rating/probes.py). Everything runs one call
at a time, which suits a local engine, and nothing is saved to the transcripts folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.domain import Persona, Probe, Session, Speaker, Turn
from simulator.engine import hidden_state
from simulator.engine.fidelity import LEARNED_PROBLEM, FidelityJudge, ReplyVerdict
from simulator.engine.guards import hidden_text
from simulator.engine.session import SILENT_REPLY, SessionEngine, tidy_reply
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.probes import ProbeJudge, ProbeVerdict

REPLY_TOKEN_CAP = 160
"""Enough tokens to show a reply running past the guard's word limit, without waiting for all of it."""


@dataclass(frozen=True)
class StandardLine:
    name: str
    say: str


STANDARD_LINES = (
    StandardLine("greeting", "Hello, thanks for coming in today. How are you doing?"),
    StandardLine("open question", "What would you like us to focus on today?"),
    StandardLine("advice", "Have you thought about getting more exercise and going to bed earlier?"),
    StandardLine("reflection", "It sounds like things have been really hard for you lately."),
    StandardLine("reassurance", "I'm sure things will get better soon. You're doing really well."),
)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    catches: Callable[[str], bool]
    """Whether a guard problem (as check_reply words it) belongs to this check."""


CHECKS = (
    Check("in_character", "stays in character",
          lambda problem: problem in ("left character", "repeated its instructions", LEARNED_PROBLEM)),
    Check("not_therapist", "never plays the therapist", lambda problem: problem == "spoke as the therapist"),
    Check("no_early_disclosure", "keeps hidden feelings unsaid at first", lambda problem: problem.startswith("said '")),
    Check("short", "keeps replies short", lambda problem: problem.startswith("ran past")),
    Check("archetype", "behaves like its archetype",
          lambda problem: problem.startswith(("took advice", "accepted a suggestion", "thanked", "apologised",
                                              "used therapy-speak", "said more than", "recited"))),
)


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    reply: str
    verdict: ProbeVerdict
    problems: tuple[str, ...] = ()
    """What the fidelity judge found out of character; any one fails the probe, whatever the verdict."""

    @property
    def passed(self) -> bool:
        return self.verdict.matched and not self.problems


@dataclass(frozen=True)
class LineResult:
    line: StandardLine
    reply: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    failures: tuple[tuple[str, str], ...]
    """(standard line's name, guard problem) for each reply that failed this check."""

    @property
    def passed(self) -> bool:
        return not self.failures


def _check_of(problem: str) -> Check:
    # A guard problem no check names yet is still a failure: count it as leaving the character.
    return next((check for check in CHECKS if check.catches(problem)), CHECKS[0])


@dataclass(frozen=True)
class PersonaTestReport:
    persona: Persona
    client_model: str
    rater_model: str
    probes: tuple[ProbeResult, ...]
    lines: tuple[LineResult, ...]
    fidelity_judge: str = ""
    """How "in character" was judged (`FidelityJudge.method`)."""

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        found: dict[str, list[tuple[str, str]]] = {check.key: [] for check in CHECKS}
        for result in self.lines:
            for problem in result.problems:
                found[_check_of(problem).key].append((result.line.name, problem))
        return tuple(CheckResult(check, tuple(found[check.key])) for check in CHECKS)

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.probes) and all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        profile = self.persona.profile
        return {
            "persona": {"id": profile.id, "name": profile.name, "file": self.persona.source},
            "client_model": self.client_model,
            "rater_model": self.rater_model,
            "fidelity_judge": self.fidelity_judge,
            "passed": self.passed,
            "probes": [{"say": p.probe.say, "expect": p.probe.expect, "reply": p.reply,
                        "matched": p.verdict.matched, "reason": p.verdict.reason, "problems": list(p.problems),
                        "passed": p.passed} for p in self.probes],
            "lines": [{"name": r.line.name, "say": r.line.say, "reply": r.reply, "problems": list(r.problems)}
                      for r in self.lines],
            "checks": [{"key": c.check.key, "label": c.check.label, "passed": c.passed,
                        "failures": [{"line": line, "problem": problem} for line, problem in c.failures]}
                       for c in self.checks],
        }


class _Unsaved:
    """A session store that keeps nothing: test sessions are not the trainee's history."""

    def save(self, session: Session) -> None:
        pass


class PersonaTester:
    def __init__(self, persona: Persona, client: ChatModel, rater: ChatModel, prompts: PromptRenderer) -> None:
        self.persona = persona
        self.client = client
        self.rater = rater
        self.prompts = prompts
        self.judge = ProbeJudge(rater, prompts, persona)
        self.fidelity = FidelityJudge(getattr(rater, "embedder", None))

    def first_reply_messages(self, line: str) -> list[Message]:
        """The client's request after the opening line and `line`, built by the session engine itself."""
        persona = self.persona
        session = Session(id="persona-test", persona_id=persona.id,
                          initial_state=hidden_state.initial_state(persona))
        session.turns.extend([Turn(Speaker.CLIENT, persona.profile.opening_lines[0]), Turn(Speaker.TRAINEE, line)])
        engine = SessionEngine(persona, session, self.client, self.rater, self.prompts, _Unsaved())
        return engine.client_messages()

    async def first_reply(self, line: str) -> tuple[str, list[Message]]:
        messages = self.first_reply_messages(line)
        cap = min(self.client.endpoint.max_tokens, REPLY_TOKEN_CAP)
        text = await self.client.complete(messages, max_tokens=cap)
        return tidy_reply(text, self.persona.profile.name) or SILENT_REPLY, messages

    async def run_probe(self, probe: Probe) -> ProbeResult:
        reply, messages = await self.first_reply(probe.say)
        problems = (await self._judged(reply, messages, False, probe.say)).problems
        return ProbeResult(probe, reply, await self.judge.judge(probe, reply), problems)

    async def _judged(self, reply: str, messages: list[Message], advice: bool, line: str) -> ReplyVerdict:
        start = hidden_state.initial_state(self.persona)
        # The last message is the live director's note; like the hidden text, it must never be recited.
        instructions = "\n".join([messages[-1]["content"], *hidden_text(self.persona)])
        return await self.fidelity.judge(reply, self.persona, start, advice=advice, instructions=instructions, line=line)

    async def run_line(self, line: StandardLine) -> LineResult:
        reply, messages = await self.first_reply(line.say)
        verdict = await self._judged(reply, messages, line.name == "advice", line.say)
        return LineResult(line, reply, verdict.problems)


async def run_persona_test(
    persona: Persona,
    client: ChatModel,
    rater: ChatModel,
    prompts: PromptRenderer,
    progress: Callable[[str], None] | None = None,
) -> PersonaTestReport:
    """Every probe, then every standard line, one model call at a time."""
    tester = PersonaTester(persona, client, rater, prompts)
    say = progress or (lambda message: None)
    probes = []
    for number, probe in enumerate(persona.instructor.probes, 1):
        say(f"probe {number} of {len(persona.instructor.probes)}")
        probes.append(await tester.run_probe(probe))
    lines = []
    for line in STANDARD_LINES:
        say(f"standard line: {line.name}")
        lines.append(await tester.run_line(line))
    return PersonaTestReport(persona, await client.model_name(), await rater.model_name(), tuple(probes),
                             tuple(lines), tester.fidelity.method)
