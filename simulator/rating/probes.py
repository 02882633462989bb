"""Judge whether the client's reply to a probe shows the reaction the persona's author expected.

The judge is the rater model. It sees the persona as the client was briefed (visible and client-only
parts), the probe line, the reply and the expected reaction; the expected reaction is instructor-only
text, so it goes to this judge and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Persona, Probe
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.answers import ProbeVerdictAnswer

VERDICT_NAME = "probe_verdict"
REASON_CHARS = 160


@dataclass(frozen=True)
class ProbeVerdict:
    matched: bool
    reason: str
    """One line: why the judge decided so."""


def one_line(text: str, limit: int = REASON_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class ProbeJudge:
    """Asks the rater model, one probe at a time, whether a reply matches its expected reaction."""

    def __init__(self, rater: ChatModel, prompts: PromptRenderer, persona: Persona) -> None:
        self.rater = rater
        self.prompts = prompts
        self.persona = persona
        self._context: Message | None = None

    def context_message(self) -> Message:
        if self._context is None:
            content = self.prompts.render("probe_context.j2", profile=self.persona.profile, client=self.persona.client)
            self._context = {"role": "system", "content": content}
        return self._context

    async def judge(self, probe: Probe, reply: str) -> ProbeVerdict:
        question = self.prompts.render("probe_verdict.j2", profile=self.persona.profile, say=probe.say,
                                       reply=reply, expect=probe.expect)
        answer = await self.rater.complete_json([self.context_message(), {"role": "user", "content": question}],
                                                ProbeVerdictAnswer, name=VERDICT_NAME)
        return ProbeVerdict(matched=answer.matched, reason=one_line(answer.reason))
