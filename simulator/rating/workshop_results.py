"""Per-person results in a workshop session, from the appraisals of each person's lines."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Speaker, Touch, Turn


@dataclass(frozen=True)
class PersonResult:
    name: str
    lines: int
    appraised: int
    mean_understood: float
    """Mean of how understood the client felt after this person's lines, 0 to 4."""
    feelings_reached: int
    """Lines of this person that reached a hidden feeling accurately."""
    traps: int
    trust_change: float
    """Total change in the client's trust across this person's lines."""


def person_results(initial_trust: float, turns: list[Turn]) -> list[PersonResult]:
    """One result per person, in the order they first spoke."""
    lines: dict[str, list[tuple[Turn, float]]] = {}
    trust = initial_trust
    for turn in turns:
        if turn.speaker is not Speaker.TRAINEE:
            continue
        change = 0.0
        if turn.state_after:
            change = turn.state_after.trust - trust
            trust = turn.state_after.trust
        lines.setdefault(turn.by or "trainee", []).append((turn, change))
    results = []
    for name, spoken in lines.items():
        appraisals = [turn.appraisal for turn, _ in spoken if turn.appraisal]
        results.append(PersonResult(
            name=name,
            lines=len(spoken),
            appraised=len(appraisals),
            mean_understood=sum(a.understood for a in appraisals) / len(appraisals) if appraisals else 0.0,
            feelings_reached=sum(1 for a in appraisals if Touch.ACCURATELY in a.feelings.values()),
            traps=sum(len(a.traps) for a in appraisals),
            trust_change=sum(change for _, change in spoken),
        ))
    return results
