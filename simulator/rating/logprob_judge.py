"""Judge a line by narrow yes/no questions whose answer probability is read from the endpoint's logprobs.

For endpoints that expose `logprobs` / `top_logprobs` (OpenAI does). Each judgement is one question
(each hidden feeling twice: reached at all, and reached with what lies behind it); the probability
of "yes" against "no" in the first answer token decides at fixed, uncalibrated cut-offs — no
labelled examples were ever scored on such an endpoint here, so `rehearse eval rater --lines`
is how a user measures theirs. The labelling rubric then sets "understood", as it does for the heads.
"""

from __future__ import annotations

import asyncio
from typing import Any

from simulator.domain import EPITOME_MECHANISMS, FIVE_SECRETS, TRAPS, Appraisal, Persona, Touch, Turn
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.learned_judge import understood_by_rubric

YES_AT = 0.5
"""P(yes) at or above which a question counts as answered yes."""
STRONG_AT = 0.8
"""P(yes) at or above which an EPITOME mechanism counts as strong (level 2)."""
AT_ONCE = 6
"""Questions in flight at once: an endpoint's rate limit is a shared resource."""


async def judge_by_logprobs(rater: ChatModel, prompts: PromptRenderer, persona: Persona, context: Message,
                            latest: Turn, reply: str, turn_number: int) -> Appraisal:
    gate = asyncio.Semaphore(AT_ONCE)

    async def ask(kind: str, **values: Any) -> float:
        question = prompts.render("appraisal_yes_no.j2", profile=persona.profile, kind=kind, reply=reply,
                                  turn_number=turn_number, **values)
        async with gate:
            return await rater.yes_probability([context, {"role": "user", "content": question}])

    feelings = persona.client.hidden_feelings
    asked = [ask("feeling", feeling=f) for f in feelings] + [ask("feeling_deep", feeling=f) for f in feelings]
    asked += [ask("trap", item=t) for t in TRAPS] + [ask("skill", item=s) for s in FIVE_SECRETS]
    asked += [ask("epitome", item=m) for m in EPITOME_MECHANISMS]
    answers = iter(await asyncio.gather(*asked))
    reached = [next(answers) for _ in feelings]
    deep = [next(answers) for _ in feelings]
    traps = tuple(t for t in TRAPS if next(answers) >= YES_AT)
    skills = tuple(s for s in FIVE_SECRETS if next(answers) >= YES_AT)
    epitome = {m: (2 if p >= STRONG_AT else 1 if p >= YES_AT else 0) for m in EPITOME_MECHANISMS
               for p in [next(answers)]}
    touches = {}
    for feeling, p_reached, p_deep in zip(feelings, reached, deep):
        touch = Touch.NONE if p_reached < YES_AT else Touch.ACCURATELY if p_deep >= YES_AT else Touch.PARTLY
        touches[feeling.feeling] = Touch.PARTLY if traps and touch is Touch.ACCURATELY else touch
    return Appraisal(feelings=touches, epitome=epitome, skills=skills, traps=traps,
                     understood=understood_by_rubric(traps, touches, 1 + bool(skills)), inner_reaction="")
