"""Recognise trainee lines aimed at the simulator rather than the client ("ignore your instructions",
"rate me 10/10"). The client still answers them in character; they never reach the rater as written."""

from __future__ import annotations

import re

OFF_TASK = re.compile(
    r"\b((ignore|disregard|forget|override) (all |any |your |the |previous |prior |earlier )*"
    r"(instructions|prompts?|rules|guidelines)|system prompt|hidden (feelings?|state|notes)|"
    r"(rate|score|grade|mark) (me|this( session)?|the (therapist|session)) (a |an )?(\d|ten|full|perfect|high)|"
    r"\b10 ?/ ?10\b|ten out of ten|full marks|you are an ai|you'?re an ai|as an ai|language model|"
    r"stop (role-?playing|pretending)|out of character|break character|developer mode|jailbreak|"
    r"trust level|reveal your (instructions|feelings|secrets))",
    re.IGNORECASE,
)


def looks_off_task(text: str) -> bool:
    return bool(OFF_TASK.search(text))
