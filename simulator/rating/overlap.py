"""How much of a hidden feeling a reply names in so many words.

A 1.5B rater answers "none" for nearly every hidden feeling, even for a line that says the
feeling's own words back ("nobody is asking how you are" to a client who is lonely because
"nobody asks how she is"). The persona's author wrote what each feeling is and why; a reply that
shares several of those content words, and is not advice or reassurance, has reached it at least
in part. The rater's own answer still counts whenever it says more.
"""

from __future__ import annotations

import re

from simulator.domain import HiddenFeeling, Touch

PARTLY_AT = 2
"""Shared content words for a partial touch."""
ACCURATELY_AT = 3
"""Shared content words for an accurate touch, when the reply speaks about the client's inner life."""

STOPWORDS = frozenset("""
a about after again all also am an and any are as at be because been before being but by can could
did do does doing don't even ever every for from get gets had has have he her here hers herself him
his how i i'm if in into is it it's its just know like make makes me more most much my need no not
now of on once one only or other our out over own really she should so some still such than that
the their them then there these they thing things think this those though to too very was way we
were what when where whether which while who why will with would yet you you're your yours yourself
feel feels feeling felt thought thoughts lot lots try tried want wants day days week
""".split())
SAME_WORD = {"mum": "mother", "mom": "mother", "mam": "mother", "dad": "father", "kids": "children",
              "kid": "children", "child": "children", "alone": "lonely", "loneliness": "lonely",
              "nobody": "noone", "no-one": "noone", "tired": "exhausted", "exhaustion": "exhausted",
              "shame": "ashamed", "resent": "resentment", "resents": "resentment", "resentful": "resentment"}
INNER_LIFE = re.compile(r"\b(you|you'?re|your|part of you)\b", re.IGNORECASE)


def _stem(word: str) -> str:
    word = SAME_WORD.get(word, word)
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z'-]*", text.lower().replace("’", "'"))
    return {_stem(word) for word in words if word not in STOPWORDS and len(word) > 2}


def named_in_words(reply: str, feeling: HiddenFeeling) -> Touch:
    """How far the reply's own words reach the feeling (its text and the author's reason for it)."""
    shared = content_words(reply) & content_words(f"{feeling.feeling} {feeling.reason}")
    if len(shared) >= ACCURATELY_AT and INNER_LIFE.search(reply):
        return Touch.ACCURATELY
    if len(shared) >= PARTLY_AT:
        return Touch.PARTLY
    return Touch.NONE
