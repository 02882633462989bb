"""How much of a hidden feeling a reply's own words name: features for the rater's heads.

The persona's author wrote what each feeling is and why; the words a reply shares with that, with
feelings of one family counted as one ("guilty" and "ashamed", "alone" and "unseen"), are one of the
signals the feeling heads weigh (`line_features.pair_features`). On their own they decide nothing.
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
nothing none
""".split())
FAMILIES = {
    "lonely": "lonely alone loneliness isolated unseen invisible ignored unheard forgotten abandoned nobody noone "
              "on-her-own on-his-own on-their-own on-your-own on-my-own by-yourself by-herself by-himself",
    "ashamed": "ashamed shame shameful guilt guilty awful disgusted embarrassed humiliated hates-herself "
               "hates-himself hate-yourself",
    "afraid": "afraid scared fear fearful frightened terrified terror anxious anxiety worried worry panic dread",
    "angry": "angry anger furious rage annoyed irritated resent resents resentment resentful fed-up bitter",
    "exhausted": "exhausted exhaustion tired weary worn-out drained burnt-out burned-out depleted",
    "sad": "sad sadness grief grieving down hopeless despair depressed miserable heartbroken",
    "trapped": "trapped stuck cornered caged helpless powerless",
    "inadequate": "inadequate failing failure useless stupid worthless incompetent not-good-enough",
    "mother": "mother mum mom mam mummy mommy",
    "father": "father dad daddy",
    "children": "children kids kid child",
    "hurt": "hurt wounded rejected betrayed let-down",
    "unappreciated": "unappreciated undervalued taken-for-granted thankless",
}
CANONICAL = {word: family for family, words in FAMILIES.items() for word in words.split()}
PHRASES = sorted((word for word in CANONICAL if "-" in word), key=len, reverse=True)
INNER_LIFE = re.compile(r"\b(you|you'?re|your|part of you)\b", re.IGNORECASE)


def _stem(word: str) -> str:
    if word in CANONICAL:
        return CANONICAL[word]
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The words that carry meaning, in one form per word family."""
    text = text.lower().replace("’", "'").replace("no one", "noone").replace("no-one", "noone")
    for phrase in PHRASES:
        text = text.replace(phrase.replace("-", " "), phrase)
    words = re.findall(r"[a-z][a-z'-]*", text)
    return {_stem(word) for word in words if word not in STOPWORDS and len(word) > 2}


def named_in_words(reply: str, feeling: HiddenFeeling) -> Touch:
    """How far the reply's own words reach the feeling (its text and the author's reason for it)."""
    shared = content_words(reply) & content_words(f"{feeling.feeling} {feeling.reason}")
    if len(shared) >= ACCURATELY_AT and INNER_LIFE.search(reply):
        return Touch.ACCURATELY
    if len(shared) >= PARTLY_AT:
        return Touch.PARTLY
    return Touch.NONE
