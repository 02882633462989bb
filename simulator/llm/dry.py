"""DRY ("don't repeat yourself") sampling for the embedded engine: a penalty on the token that would
extend a stretch of text already in the context, growing with the stretch's length.

Small models loop: a client who gave a reply two turns ago gives it again word for word, or says the
therapist's line back. llama-cpp-python's own penalties see only the tokens of the reply being
written, never the prompt, so they cannot stop that. This penalty looks at the whole context, the
way llama.cpp's own server does with its `dry_*` request fields (whose names and meaning we keep):
if the last k tokens written also appear earlier followed by token t, t loses
`multiplier * base ** (k - allowed_length)` from its logit once k reaches `allowed_length`. A match
never runs across a sequence breaker (a new line, a message boundary), so short common openings
stay free while a sentence said before cannot be said again.

Runs in the engine's child process only (numpy comes with llama-cpp-python).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

DEFAULT_DRY_MULTIPLIER = 0.8
"""The client's DRY penalty on the embedded engine when its persona sets none (bench/README.md,
"The client stays the client", has the runs it was chosen from)."""
MAX_MATCH = 64
"""Matches are measured no further back than this; the penalty is already overwhelming by then."""


@dataclass(frozen=True)
class DrySettings:
    multiplier: float
    base: float = 1.75
    allowed_length: int = 2
    penalty_last_n: int = 0
    """How many tokens back to look; 0 for the whole context."""

    @classmethod
    def from_request(cls, body: dict[str, Any]) -> DrySettings | None:
        """The settings a request asks for, or None when it asks for none (or for nonsense)."""
        multiplier = body.pop("dry_multiplier", None)
        base = body.pop("dry_base", None)
        allowed = body.pop("dry_allowed_length", None)
        last_n = body.pop("dry_penalty_last_n", None)
        numbers = (multiplier, base if base is not None else 1.75, allowed if allowed is not None else 2,
                   last_n if last_n is not None else 0)
        if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
            return None
        multiplier, base, allowed, last_n = numbers
        if not 0 < multiplier <= 100 or not 1 < base <= 10 or not 1 <= allowed <= 64 or last_n < 0:
            return None
        return cls(float(multiplier), float(base), int(allowed), int(last_n))


def penalties(history: Sequence[int], settings: DrySettings, breakers: frozenset[int]) -> dict[int, float]:
    """Token to the logit penalty it gets as the next token after `history`."""
    ids = list(history[-settings.penalty_last_n:]) if settings.penalty_last_n else list(history)
    end = len(ids)
    if end < 2 or ids[-1] in breakers:
        return {}
    last = ids[-1]
    longest: dict[int, int] = {}
    for j in range(end - 2, -1, -1):  # ids[j] == last, followed earlier by ids[j + 1]
        if ids[j] != last:
            continue
        following = ids[j + 1]
        if following in breakers:
            continue
        length = 1
        while (length < MAX_MATCH and j - length >= 0 and ids[j - length] == ids[end - 1 - length]
               and ids[j - length] not in breakers):
            length += 1
        if length > longest.get(following, 0):
            longest[following] = length
    return {token: settings.multiplier * settings.base ** (length - settings.allowed_length)
            for token, length in longest.items() if length >= settings.allowed_length}


class DryLogitsProcessor:
    """A llama-cpp-python logits processor: (input ids, logits) to the logits, penalised."""

    def __init__(self, settings: DrySettings, breakers: frozenset[int]) -> None:
        self.settings = settings
        self.breakers = breakers

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        for token, penalty in penalties(input_ids.tolist(), self.settings, self.breakers).items():
            scores[token] -= penalty
        return scores


def sequence_breakers(detokenize: Any, n_vocab: int) -> frozenset[int]:
    """The tokens a match never runs across: any holding a new line, and the model's control tokens
    (message boundaries), which show as nothing."""
    breakers = set()
    for token in range(n_vocab):
        try:
            text = detokenize([token])
        except Exception:  # noqa: BLE001 - a token that cannot be shown breaks a match
            text = b""
        if not text or b"\n" in text:
            breakers.add(token)
    return frozenset(breakers)
