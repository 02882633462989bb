"""The form's scores worked out from how each line landed, for a rater too small to fill it in.

Asked to fill in the form, the bundled 1.5B model gave an empathy branch that reached three hidden
feelings 8 of 20, with warmth 0 (docs/yes-but-demo.md). Its appraisals, checked against the
reply's words, are steadier, so the scores follow from them:

- How understood the client felt over the session is remembered the way people remember an
  experience: by its best moment and by how it ended (the peak-end rule), not by an average.
- Every trap costs the items it offends: judging costs respect and warmth, advice costs listening
  and feeling understood, and so on, one point each time it happened.
- Warmth, respect and listening show in the therapist's manner before the client feels
  understood, so they may run up to two points ahead of it, as far as the lines kept clear of
  traps; trust in the therapist cannot run
  ahead of the client's hidden trust at the end.

The comment, in the client's voice, says what the scores rest on: how understood the client was
left, the traps that hurt, and the line that got through. (The 1.5B model's own comments praised
sessions it had scored 0 of 20.) The low scores are quoted from the lines that earned them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from simulator.domain import EMPATHY_ITEMS, HiddenState, Speaker, Turn

TRAP_COSTS = {
    "warmth": ("judging", "arguing", "reassurance"),
    "trust": ("judging", "arguing"),
    "respect": ("judging", "arguing", "early_advice"),
    "listening": ("early_advice", "changing_subject", "arguing"),
    "understood": ("early_advice", "reassurance", "changing_subject"),
}
"""Which traps lower which empathy item, the one it minds most first."""
LOW_SCORE_AT = 2
MANNER_LEAD = 2
"""How far warmth, respect and listening may score above how understood the client felt."""


@dataclass(frozen=True)
class FormScores:
    empathy: dict[str, int]
    helpfulness: int
    session: dict[str, int]
    low_score_lines: dict[str, str]
    """For each empathy item at or below LOW_SCORE_AT, the trainee's line that most earned it."""
    comment: str


def _clamp(value: float, high: int) -> int:
    return max(0, min(high, int(value + 0.5)))


def remembered_understanding(understood: list[int]) -> float:
    """Peak and end: the best moment and the last two lines, weighed equally."""
    if not understood:
        return 0.0
    end = understood[-2:]
    return (max(understood) + sum(end) / len(end)) / 2


def scores_from_appraisals(turns: list[Turn], final: HiddenState | None) -> FormScores:
    lines = [turn for turn in turns if turn.speaker is Speaker.TRAINEE and turn.appraisal]
    understood = [turn.appraisal.understood for turn in lines]
    felt = remembered_understanding(understood)
    trust_now = final.trust if final else 0.0
    clear = sum(1 for turn in lines if not turn.appraisal.traps) / len(lines) if lines else 0.0
    empathy = {}
    for item in EMPATHY_ITEMS:
        cost = sum(1 for turn in lines for trap in turn.appraisal.traps if trap in TRAP_COSTS[item.key])
        if item.key == "understood":
            base = felt
        elif item.key == "trust":
            base = min(felt, trust_now * item.high / 10)
        else:
            base = felt + MANNER_LEAD * clear
        empathy[item.key] = _clamp(min(base, item.high) - cost, item.high) if lines else 0
    mean_empathy = sum(empathy.values()) / len(empathy)
    traps = sum(len(turn.appraisal.traps) for turn in lines)
    session = {
        "relationship": _clamp(mean_empathy * 2.5, 10),
        "goals": _clamp(min(trust_now, felt * 2.5), 10),
        "approach": _clamp(felt * 2.5 - traps, 10),
    }
    session["overall"] = _clamp(sum(session.values()) / 3, 10)
    return FormScores(
        comment=_comment(lines, empathy["understood"]),
        empathy=empathy,
        helpfulness=_clamp((felt + trust_now * 0.4) / 2, 4),
        session=session,
        low_score_lines={key: _worst_line(lines, key) for key, score in empathy.items()
                         if score <= LOW_SCORE_AT and lines},
    )


def _worst_line(lines: list[Turn], item: str) -> str:
    """The line whose traps this item minds most, else the one that left the client least understood."""
    minds = TRAP_COSTS[item]

    def harm(turn: Turn) -> tuple[int, int]:
        return (sum(len(minds) - minds.index(trap) for trap in turn.appraisal.traps if trap in minds),
                -turn.appraisal.understood)

    return max(lines, key=harm).text


TRAP_REMARKS = {
    "early_advice": "I got advice before anyone understood what it's like for me",
    "reassurance": "being told it would all be fine made me feel brushed off",
    "judging": "I felt judged",
    "arguing": "it felt like I was being argued with",
    "changing_subject": "we moved on just when it mattered",
}
OPENINGS = ("I didn't feel understood today.", "I didn't feel understood today.",
            "Some of it landed, but I didn't feel properly understood.", "Most of the time I felt understood.",
            "I felt really understood today.")
"""The comment's first sentence, by the score for feeling understood (0-4)."""


def _comment(lines: list[Turn], understood: int) -> str:
    if not lines:
        return "The therapist hardly said anything, so there is nothing to rate."
    sentences = [OPENINGS[understood]]
    counts = Counter(trap for turn in lines for trap in turn.appraisal.traps)
    remarks = [TRAP_REMARKS[trap] for trap, _ in counts.most_common()]
    if remarks:
        said = ", and ".join(remarks) if len(remarks) <= 2 else ", ".join(remarks[:-1]) + ", and " + remarks[-1]
        sentences.append(said[0].upper() + said[1:] + ".")
    else:
        sentences.append("Nothing they said pushed me away.")
    best = max(lines, key=lambda turn: (turn.appraisal.understood, -len(turn.appraisal.traps)))
    if best.appraisal.understood >= 3 and not best.appraisal.traps:
        sentences.append(f"When they said \"{best.text}\", it felt like they got it.")
    return " ".join(sentences)
