"""What a branch of a session achieved, read from its appraised turns: which trainee lines reached
each hidden feeling, and how trust and resistance moved. The debrief screen and the saved reports
both show these, so they are worked out here once."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import HiddenFeeling, HiddenState, Persona, Speaker, Touch, Turn


@dataclass(frozen=True)
class FeelingReached:
    feeling: HiddenFeeling
    best: Touch
    lines: tuple[tuple[int, Touch], ...]
    """(trainee line number, how far it reached) for every line that reached this feeling at all."""


@dataclass(frozen=True)
class TrustPoint:
    line: int
    """0 for the start of the session, else the trainee line after which it was measured."""
    trust: float
    resistance: float


def trainee_turns(turns: list[Turn]) -> list[tuple[int, int, Turn]]:
    """(line number from 1, index in the branch, turn) for each trainee turn."""
    found = [(index, turn) for index, turn in enumerate(turns) if turn.speaker is Speaker.TRAINEE]
    return [(line, index, turn) for line, (index, turn) in enumerate(found, start=1)]


def feelings_reached(persona: Persona, turns: list[Turn]) -> list[FeelingReached]:
    """Every hidden feeling of the persona, with the lines that reached it (possibly none)."""
    reached = []
    for feeling in persona.client.hidden_feelings:
        lines = tuple(
            (line, turn.appraisal.feelings[feeling.feeling])
            for line, _, turn in trainee_turns(turns)
            if turn.appraisal and turn.appraisal.feelings.get(feeling.feeling, Touch.NONE) is not Touch.NONE
        )
        best = max((touch for _, touch in lines), key=lambda t: t.rank, default=Touch.NONE)
        reached.append(FeelingReached(feeling, best, lines))
    return reached


def trust_curve(initial: HiddenState | None, turns: list[Turn]) -> list[TrustPoint]:
    """The state before the first line (line 0, when known), then after each appraised trainee line."""
    curve = [TrustPoint(0, initial.trust, initial.resistance)] if initial else []
    curve += [TrustPoint(line, turn.state_after.trust, turn.state_after.resistance)
              for line, _, turn in trainee_turns(turns) if turn.state_after]
    return curve
