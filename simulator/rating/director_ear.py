"""The director's ear: which traps the line the client is about to answer falls into.

Small heads over the line's words alone (n-grams and word-list cues, no embedding: a millisecond,
so the client's first token waits for nothing), trained on the labelled therapist lines
(weights/director.json, leave-one-persona-out scores in its card). It only tells the client's
director what just happened ("they just gave you advice"); the rating of the line is the rater's.
"""

from __future__ import annotations

from simulator.rating.heads import load_heads
from simulator.rating.line_features import cues, tfidf


def traps_heard(line: str) -> tuple[str, ...]:
    """The traps ("early_advice", "reassurance", "judging") the line falls into, as the ear hears them."""
    if not line.strip():
        return ()
    heads = load_heads("director")
    features = {"ngrams": tfidf(line, heads.vocabulary, list(heads.idf)), "cues": cues(line)}
    return tuple(name.removeprefix("trap:") for name, head in heads.heads.items() if head.yes(features))
