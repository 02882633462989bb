"""What the debrief shows, worked out from a branch's appraised turns: which turns reached each
hidden feeling, the trust curve, and the best and worst moments."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Appraisal, HiddenFeeling, HiddenState, Persona, Speaker, Touch, Turn


@dataclass(frozen=True)
class FeelingReveal:
    feeling: HiddenFeeling
    best: Touch
    touched_at: tuple[tuple[int, Touch], ...]
    """(trainee line number, how far it reached) for every line that reached this feeling at all."""


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


def trainee_turns(turns: list[Turn]) -> list[tuple[int, int, Turn]]:
    """(line number from 1, index in the branch, turn) for each trainee turn."""
    found = [(index, turn) for index, turn in enumerate(turns) if turn.speaker is Speaker.TRAINEE]
    return [(line, index, turn) for line, (index, turn) in enumerate(found, start=1)]


def feeling_reveals(persona: Persona, turns: list[Turn]) -> list[FeelingReveal]:
    reveals = []
    for feeling in persona.client.hidden_feelings:
        touched = tuple(
            (line, turn.appraisal.feelings[feeling.feeling])
            for line, _, turn in trainee_turns(turns)
            if turn.appraisal and turn.appraisal.feelings.get(feeling.feeling, Touch.NONE) is not Touch.NONE
        )
        best = max((touch for _, touch in touched), key=lambda t: t.rank, default=Touch.NONE)
        reveals.append(FeelingReveal(feeling, best, touched))
    return reveals


def trust_curve(initial: HiddenState, turns: list[Turn]) -> list[tuple[int, float]]:
    """Trust before the first line (line 0), then after each appraised trainee line."""
    curve = [(0, initial.trust)]
    curve += [(line, turn.state_after.trust) for line, _, turn in trainee_turns(turns) if turn.state_after]
    return curve


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
