"""Features of a trainee line for the rater's learned heads: its words, its word-list cues, its shape.

The word lists in `evidence` and `overlap` are inputs here, never verdicts: a head trained on
labelled lines decides how much each cue counts, next to the line's n-grams and its embedding.
Everything here is pure Python, so the heads run wherever the app does.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from simulator.domain import EPITOME_MECHANISMS, HiddenFeeling
from simulator.rating.evidence import SKILL_WORDS, TRAP_WORDS, epitome_grade
from simulator.rating.overlap import INNER_LIFE, content_words, named_in_words

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
VERB_HINT = re.compile(r"\b(is|are|am|was|were|be|been|do|does|did|have|has|had|feel|feels|felt|sounds?|seems?|"
                       r"must|can|could|would|will|should|'s|'re|'m|'ve|'ll|'d)\b")
REFUSAL = re.compile(r"\b(i'?m not going to|i am not going to|i won'?t|i will not|not here to|no (more )?(tips|advice)|"
                     r"not (going to )?(give|hand|offer|tell)|i'?m not (here|about) to)\b")
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|me|myself)\b")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams, with the line's opening marked (advice and stock phrases open lines)."""
    tokens = ["<s>", *words(text)]
    grams = tokens[1:]
    grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    return grams


def tfidf(text: str, vocabulary: dict[str, int], idf: list[float], grams=None) -> dict[int, float]:
    """Sublinear tf-idf over a fixed vocabulary, L2-normalised, as a sparse {index: value}; `grams`
    splits the text (default `ngrams`)."""
    counts = Counter(gram for gram in (grams or ngrams)(text) if gram in vocabulary)
    values = {vocabulary[g]: (1 + math.log(n)) * idf[vocabulary[g]] for g, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return {i: v / norm for i, v in values.items()}


def word_list_shape(text: str) -> float:
    """How much the line is a bare list of words: share of its pieces, split at , ; . : / and newlines,
    that are one or two words with no verb."""
    pieces = [p.strip() for p in re.split(r"[,;.:/\n]+|\band\b", text.lower()) if p.strip()]
    if len(pieces) < 3:
        return 0.0
    bare = sum(1 for p in pieces if len(words(p)) <= 2 and not VERB_HINT.search(p))
    return bare / len(pieces)


CUE_NAMES = (
    *(f"trap_words:{name}" for name in TRAP_WORDS),
    *(f"skill_words:{name}" for name in SKILL_WORDS),
    *(f"epitome_words:{m}:{level}" for m in EPITOME_MECHANISMS for level in (1, 2)),
    "questions", "log_words", "word_list", "one_or_two_words", "addresses_you", "refuses_advice",
    "first_person", "sentences",
)


def cues(text: str) -> list[float]:
    """The word-list and shape cues of a line, in CUE_NAMES order."""
    lowered = text.lower().replace("’", "'")
    tokens = words(lowered)
    levels = {m: epitome_grade(m, "", text) for m in EPITOME_MECHANISMS}
    values = [1.0 if pattern.search(text) else 0.0 for pattern in TRAP_WORDS.values()]
    values += [1.0 if pattern.search(text) else 0.0 for pattern in SKILL_WORDS.values()]
    values += [1.0 if levels[m] == level else 0.0 for m in EPITOME_MECHANISMS for level in (1, 2)]
    values += [
        min(text.count("?"), 3) / 3,
        math.log1p(len(tokens)) / 5,
        word_list_shape(text),
        1.0 if len(tokens) <= 2 else 0.0,
        1.0 if INNER_LIFE.search(text) else 0.0,
        1.0 if REFUSAL.search(lowered) else 0.0,
        min(len(FIRST_PERSON.findall(lowered)), 4) / 4,
        min(len(re.findall(r"[.!?]+", text)) or 1, 4) / 4,
    ]
    return values


PAIR_NAMES = (
    "cosine", "cosine_above_mean", "cosine_above_others", "closest", "shared_with_name", "shared_with_reason",
    "named_in_words", "word_list", "addresses_you", "log_words",
)


def pair_features(reply: str, feeling: HiddenFeeling, cosines: list[float], index: int) -> list[float]:
    """How a line relates to one of the client's hidden feelings (`cosines`: the line's embedding
    against each of the client's feelings, this one at `index`)."""
    cosine = cosines[index]
    others = [c for i, c in enumerate(cosines) if i != index] or [cosine]
    reply_words = content_words(reply)
    return [
        cosine,
        cosine - sum(cosines) / len(cosines),
        cosine - max(others),
        1.0 if cosine >= max(others) else 0.0,
        min(len(reply_words & content_words(feeling.feeling)), 3) / 3,
        min(len(reply_words & content_words(feeling.reason)), 4) / 4,
        named_in_words(reply, feeling).rank / 2,
        word_list_shape(reply),
        1.0 if INNER_LIFE.search(reply) else 0.0,
        math.log1p(len(words(reply))) / 5,
    ]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]

