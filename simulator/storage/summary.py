"""One history row per session: what `rehearse history` shows, computed from the session alone."""

from __future__ import annotations

from typing import Any

from simulator.domain import EMPATHY_ITEMS, Session, Speaker


def empathy_gap(predicted: dict[str, int], actual: dict[str, int]) -> int:
    """Predicted minus actual empathy total, as `rating.calibration` defines it (storage cannot import it)."""
    return sum(predicted[item.key] - actual[item.key] for item in EMPATHY_ITEMS)


def summarize(session: Session) -> dict[str, Any]:
    """The active branch's numbers: the branch being played, or the one played last."""
    branch = session.branch()
    form = branch.form
    gap = None
    if form and branch.prediction:
        gap = empathy_gap(branch.prediction.empathy, form.empathy)
    return {
        "id": session.id,
        "persona_id": session.persona_id,
        "trainee": session.trainee,
        "group": sorted({turn.by for b in session.branches for turn in b.turns if turn.by}),
        "started_at": session.started_at.isoformat(),
        "ended_at": branch.ended_at.isoformat() if branch.ended_at else None,
        "turns": sum(1 for turn in branch.turns if turn.speaker is Speaker.TRAINEE),
        "branches": len(session.branches),
        "empathy_total": form.empathy_total if form else None,
        "grade": form.grade if form else None,
        "calibration_gap": gap,
        "cut_off": any(not turn.complete for turn in branch.turns),
    }
