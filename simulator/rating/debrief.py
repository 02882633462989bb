"""The best and worst moments of a branch, judged from its appraised turns (what else the debrief
shows, the feelings reached and the trust curve, is in `simulator.outcomes`)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Appraisal, HiddenState, Turn
from simulator.outcomes import trainee_turns


@dataclass(frozen=True)
class Moment:
    line: int
    """The trainee's line number, from 1."""
    index: int
    """The turn's index in the branch."""
    text: str
    appraisal: Appraisal
    trust_change: float
    by: str = ""


def _weight(appraisal: Appraisal) -> float:
    reached = sum(touch.rank for touch in appraisal.feelings.values())
    return 2 * appraisal.understood + reached - 2 * len(appraisal.traps)


def moments(initial: HiddenState, turns: list[Turn]) -> list[Moment]:
    found = []
    before = initial.trust
    for line, index, turn in trainee_turns(turns):
        if turn.appraisal and turn.state_after:
            found.append(Moment(line, index, turn.text, turn.appraisal, turn.state_after.trust - before, turn.by))
        if turn.state_after:
            before = turn.state_after.trust
    return found


def best_and_worst(initial: HiddenState, turns: list[Turn]) -> tuple[Moment | None, Moment | None]:
    """The line that landed best and the one that went worst; ties go to the bigger trust change."""
    appraised = moments(initial, turns)
    if not appraised:
        return None, None
    best = max(appraised, key=lambda m: (_weight(m.appraisal), m.trust_change))
    worst = min(appraised, key=lambda m: (_weight(m.appraisal), m.trust_change))
    return best, (worst if worst is not best else None)
