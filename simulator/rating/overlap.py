"""How much of a hidden feeling some words name: a reply's own words, or a rater's summary of it.

A 1.5B rater answers "none" for nearly every hidden feeling when asked about each one, even for a
line that says the feeling's own words back ("nobody is asking how you are" to a client who is
lonely because "nobody asks how she is"). The persona's author wrote what each feeling is and why;
words that share enough of that, with feelings of one family counted as one ("guilty" and
"ashamed", "alone" and "unseen"), have reached it. The rater's own answer still counts whenever
it says more.
"""

from __future__ import annotations

import re
from collections import Counter

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


def named_in_reply(reply: str, feelings: tuple[HiddenFeeling, ...]) -> dict[str, Touch]:
    """How far the reply's own words reach each feeling: `named_in_words`, and at least partly when
    the reply uses a word of the feeling's own family that no other feeling of the client shares
    ("on your own" to a client who is lonely)."""
    reply_words = content_words(reply)
    names = _distinctive_names(feelings)
    touches = {}
    for feeling in feelings:
        touch = named_in_words(reply, feeling)
        if touch is Touch.NONE and reply_words & names[feeling.feeling]:
            touch = Touch.PARTLY
        touches[feeling.feeling] = touch
    return touches


def _distinctive_names(feelings: tuple[HiddenFeeling, ...]) -> dict[str, set[str]]:
    """Each feeling's own words, less those its name shares with another feeling of the client."""
    names = {feeling.feeling: content_words(feeling.feeling) for feeling in feelings}
    counts = Counter(word for words in names.values() for word in words)
    return {name: {word for word in words if counts[word] == 1} or words for name, words in names.items()}


def named_in_summary(summary: str, reply: str, feelings: tuple[HiddenFeeling, ...]) -> dict[str, Touch]:
    """How far a rater's few-word summary of the feeling a reply named reaches each hidden feeling.

    The summary counts only when the reply itself backs it: it shares a word with the summary, or
    it names a feeling of the client's at all. A small rater that knows the hidden feelings
    otherwise "finds" them in lines that never spoke of them.
    """
    said = content_words(summary)
    reply_words = content_words(reply)
    backed = bool(said & reply_words) or bool(reply_words & set(FAMILIES) - {"mother", "father", "children"})
    touches = {feeling.feeling: Touch.NONE for feeling in feelings}
    if not said or not backed:
        return touches
    names = _distinctive_names(feelings)
    for feeling in feelings:
        hits = said & names[feeling.feeling]
        if hits and 2 * len(hits) >= len(names[feeling.feeling]):
            touches[feeling.feeling] = Touch.ACCURATELY
        elif hits or len(said & content_words(feeling.reason)) >= PARTLY_AT:
            touches[feeling.feeling] = Touch.PARTLY
    return touches
