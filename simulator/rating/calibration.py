"""How well the trainee predicted the client's form: the gap per item, and one calibration score."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import EMPATHY_ITEMS, HELPFULNESS_ITEM, SESSION_ITEMS, ClientForm, FormItem, Prediction


@dataclass(frozen=True)
class ItemGap:
    item: FormItem
    predicted: int
    actual: int

    @property
    def gap(self) -> int:
        """Positive when the trainee rated themself higher than the client did."""
        return self.predicted - self.actual


@dataclass(frozen=True)
class Calibration:
    gaps: tuple[ItemGap, ...]

    @property
    def score(self) -> int:
        """100 when every item was predicted exactly, 0 when every guess was as far off as possible."""
        misses = [abs(g.gap) / (g.item.high - g.item.low) for g in self.gaps]
        return round(100 * (1 - sum(misses) / len(misses)))

    @property
    def empathy_gap(self) -> int:
        """Predicted minus actual empathy total: how much the trainee overrated their empathy."""
        return sum(g.gap for g in self.gaps if g.item in EMPATHY_ITEMS)


def calibrate(prediction: Prediction, form: ClientForm) -> Calibration:
    gaps = [ItemGap(item, prediction.empathy[item.key], form.empathy[item.key]) for item in EMPATHY_ITEMS]
    gaps.append(ItemGap(HELPFULNESS_ITEM, prediction.helpfulness, form.helpfulness))
    gaps += [ItemGap(item, prediction.session[item.key], form.session[item.key]) for item in SESSION_ITEMS]
    return Calibration(tuple(gaps))


def prediction_problems(data: object) -> list[str]:
    """What is wrong with a prediction given as JSON data; empty when it is complete and in range."""
    if not isinstance(data, dict):
        return ["must be a JSON object with empathy, helpfulness and session"]
    problems = []
    for group, items in (("empathy", EMPATHY_ITEMS), ("session", SESSION_ITEMS)):
        values = data.get(group)
        if not isinstance(values, dict):
            problems.append(f"{group}: must be an object with {', '.join(i.key for i in items)}")
            continue
        for item in items:
            value = values.get(item.key)
            if isinstance(value, bool) or not isinstance(value, int) or not item.low <= value <= item.high:
                problems.append(f"{group}.{item.key}: must be a whole number from {item.low} to {item.high}")
    value = data.get("helpfulness")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= HELPFULNESS_ITEM.high:
        problems.append(f"helpfulness: must be a whole number from 0 to {HELPFULNESS_ITEM.high}")
    return problems
