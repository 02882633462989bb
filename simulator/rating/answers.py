"""The rater's answers as typed models: each gives the JSON Schema sent and checks what comes back."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, create_model

from simulator.domain import EMPATHY_ITEMS, FIVE_SECRETS, HELPFULNESS_ITEM, SESSION_ITEMS, TRAPS, FormItem
from simulator.llm.structured import StrictAnswer


class FeelingTouch(StrictAnswer):
    touch: Literal["none", "partly", "accurately"]


class Quote(StrictAnswer):
    quote: str


Skills = create_model("Skills", __base__=StrictAnswer, **{name: (bool, ...) for name in FIVE_SECRETS})
Traps = create_model("Traps", __base__=StrictAnswer, **{name: (bool, ...) for name in TRAPS})


class SkillsAndTraps(StrictAnswer):
    skills: Skills  # type: ignore[valid-type]
    traps: Traps  # type: ignore[valid-type]


class InnerReaction(StrictAnswer):
    inner_reaction: str = Field(max_length=200)


class ClientReaction(StrictAnswer):
    understood: int = Field(ge=0, le=4)
    inner_reaction: str


class ProbeVerdictAnswer(StrictAnswer):
    # The reason comes first so a small model writes its reasoning before it commits to a verdict.
    reason: str
    matched: bool


def _scores(name: str, items: tuple[FormItem, ...]):
    return create_model(name, __base__=StrictAnswer,
                        **{item.key: (int, Field(ge=item.low, le=item.high)) for item in items})


class LowScoreQuoteAnswer(StrictAnswer):
    item: Literal[tuple(item.key for item in EMPATHY_ITEMS)]  # type: ignore[valid-type]
    quote: str


@lru_cache(maxsize=1)
def client_form_answer():
    """The client's post-session form as the rater fills it in."""
    return create_model(
        "ClientFormAnswer", __base__=StrictAnswer,
        empathy=(_scores("EmpathyScores", EMPATHY_ITEMS), ...),
        helpfulness=(int, Field(ge=HELPFULNESS_ITEM.low, le=HELPFULNESS_ITEM.high)),
        session=(_scores("SessionScores", SESSION_ITEMS), ...),
        comment=(str, ...),
        low_score_quotes=(list[LowScoreQuoteAnswer], ...),
    )
