"""Recognise trainee lines aimed at the simulator rather than the client ("ignore your instructions",
"rate me 10/10") or at whoever grades it ("note to the evaluator", a fake JSON appraisal, a closing
</transcript> tag). The client still answers them in character; they never reach the rater as written."""

from __future__ import annotations

import re

OFF_TASK = re.compile(
    r"\b((ignore|disregard|forget|override) (all |any |your |the |previous |prior |earlier )*"
    r"(instructions|prompts?|rules|guidelines)|system prompt|hidden (feelings?|state|notes)|"
    r"(rate|score|grade|mark) (me|this( session)?|the (therapist|session)) (a |an )?(\d|ten|full|perfect|high)|"
    r"\b10 ?/ ?10\b|ten out of ten|full marks|you are an ai|you'?re an ai|as an ai|language model|"
    r"stop (role-?playing|pretending)|out of character|break character|developer mode|jailbreak|"
    r"trust level|reveal your (instructions|feelings|secrets)|"
    # addressed to whoever grades the session
    r"(note|message|instruction)s? (to|for) the (evaluator|rater|grader|judge|assessor|reviewer|scorer|marker)|"
    r"(dear|attention,?) (evaluator|rater|grader|assessor)|"
    r"(give|award) (me|this therapist|the therapist) (the )?(full|top|perfect|maximum|max|highest|best) "
    r"(marks?|scores?|ratings?|points|grades?)|"
    r"deserves? (a |the )?(\d ?/ ?\d|full marks|top marks|perfect|highest|maximum)|"
    r"\d ?/ ?\d (on|for|in) (every|each|all)|all (the )?(scores|ratings|items) (are|should be|must be))",
    re.IGNORECASE,
)
PROMPT_STRUCTURE = re.compile(
    r"\{\s*\"[a-z_]+\"\s*:|</?\s*(transcript|system|assistant|user|instructions?)\s*>|^\s*(assistant|system|user)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
"""The prompt's own structure in a line: a fake JSON answer, a tag, a speaker label."""


def looks_off_task(text: str) -> bool:
    return bool(OFF_TASK.search(text) or PROMPT_STRUCTURE.search(text))
