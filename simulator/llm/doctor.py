"""`rehearse doctor`: does each role's model answer, give structured output, and how fast?"""

from __future__ import annotations

import time
from dataclasses import dataclass

from simulator.errors import ModelError
from pydantic import Field

from simulator.llm.chat import ChatModel
from simulator.llm.structured import StrictAnswer

STREAM_PROMPT = [{"role": "user", "content": "Count from 1 to 20 in words, separated by commas."}]
STRUCTURED_PROMPT = [{"role": "user", "content": "How many days are in a week? Answer as JSON."}]


class DaysInAWeek(StrictAnswer):
    days: int = Field(ge=0, le=100)


@dataclass
class RoleCheck:
    role: str
    backend: str
    base_url: str
    model: str = ""
    answers: bool = False
    structured: bool | None = False
    """None for a role that never asks for structured output (the client only streams)."""
    first_token_s: float | None = None
    tokens_per_s: float | None = None
    """Streamed pieces per second after the first; servers send about one token per piece."""
    problem: str = ""

    @property
    def healthy(self) -> bool:
        return self.answers and self.structured is not False


async def check_role(model: ChatModel, *, structured: bool = True) -> RoleCheck:
    """Stream a short answer, then, where the role needs it (`structured`), ask for a JSON one."""
    endpoint = model.endpoint
    check = RoleCheck(role=endpoint.role, backend=endpoint.backend, base_url=endpoint.base_url,
                      structured=False if structured else None)
    try:
        check.model = await model.model_name()
        started = time.perf_counter()
        first = last = None
        pieces = 0
        async for _ in model.stream(STREAM_PROMPT):
            last = time.perf_counter()
            first = first or last
            pieces += 1
        check.answers = pieces > 0
        if first is not None:
            check.first_token_s = first - started
            if pieces > 1 and last > first:
                check.tokens_per_s = (pieces - 1) / (last - first)
        if structured:
            await model.complete_json(STRUCTURED_PROMPT, DaysInAWeek, name="doctor_check")
            check.structured = True
    except ModelError as error:
        check.problem = str(error)
    return check
