"""Observers' alternative replies for one moment, each appraised by the client as if it had been said
instead — a multiple-choice empathy exercise for workshop groups."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Appraisal, Speaker, Turn
from simulator.rating.appraisal import Appraiser


@dataclass(frozen=True)
class RatedAlternative:
    text: str
    appraisal: Appraisal
    original: bool = False

    @property
    def score(self) -> float:
        reached = sum(touch.rank for touch in self.appraisal.feelings.values())
        return 2 * self.appraisal.understood + reached - 2 * len(self.appraisal.traps)


async def rate_alternatives(appraiser: Appraiser, turns: list[Turn], index: int,
                            alternatives: list[str]) -> list[RatedAlternative]:
    """Appraise the trainee's line at `index` and each alternative in its place; best first."""
    original = turns[index]
    if original.speaker is not Speaker.TRAINEE:
        raise ValueError("alternatives replace a trainee's line")
    before = turns[:index]
    rated = [RatedAlternative(original.text, original.appraisal or await appraiser.appraise([*before, original]),
                              original=True)]
    for text in (t.strip() for t in alternatives):
        if text:
            appraisal = await appraiser.appraise([*before, Turn(Speaker.TRAINEE, text)])
            rated.append(RatedAlternative(text, appraisal))
    return sorted(rated, key=lambda r: r.score, reverse=True)
