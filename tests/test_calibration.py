from __future__ import annotations

from simulator.domain import ClientForm, Prediction
from simulator.rating.calibration import calibrate, prediction_problems

EMPATHY_KEYS = ["warmth", "trust", "respect", "listening", "understood"]
SESSION_KEYS = ["relationship", "goals", "approach", "overall"]


def form(empathy: int, helpfulness: int, session: int) -> ClientForm:
    return ClientForm(empathy=dict.fromkeys(EMPATHY_KEYS, empathy), helpfulness=helpfulness,
                      session=dict.fromkeys(SESSION_KEYS, session), comment="")


def prediction(empathy: int, helpfulness: int, session: int) -> Prediction:
    return Prediction(empathy=dict.fromkeys(EMPATHY_KEYS, empathy), helpfulness=helpfulness,
                      session=dict.fromkeys(SESSION_KEYS, session))


def test_a_perfect_prediction_scores_100():
    result = calibrate(prediction(3, 2, 7), form(3, 2, 7))
    assert result.score == 100 and result.empathy_gap == 0
    assert all(g.gap == 0 for g in result.gaps)


def test_overrating_yourself_shows_as_positive_gaps():
    result = calibrate(prediction(4, 4, 10), form(2, 1, 5))
    by_key = {g.item.key: g.gap for g in result.gaps}
    assert by_key["warmth"] == 2 and by_key["helpfulness"] == 3 and by_key["overall"] == 5
    assert result.empathy_gap == 10
    # Misses as a share of each scale: 5 items at 2/4, helpfulness 3/4, 4 items at 5/10.
    assert result.score == round(100 * (1 - (5 * 0.5 + 0.75 + 4 * 0.5) / 10))


def test_the_worst_prediction_scores_0():
    assert calibrate(prediction(4, 4, 10), form(0, 0, 0)).score == 0


def test_prediction_files_are_checked_item_by_item():
    assert prediction_problems({"empathy": dict.fromkeys(EMPATHY_KEYS, 3), "helpfulness": 2,
                                "session": dict.fromkeys(SESSION_KEYS, 7)}) == []
    problems = prediction_problems({"empathy": {"warmth": 9}, "helpfulness": True, "session": []})
    assert "empathy.warmth: must be a whole number from 0 to 4" in problems
    assert "empathy.trust: must be a whole number from 0 to 4" in problems
    assert "helpfulness: must be a whole number from 0 to 4" in problems
    assert "session: must be an object with relationship, goals, approach, overall" in problems
    assert prediction_problems([1, 2]) == ["must be a JSON object with empathy, helpfulness and session"]
