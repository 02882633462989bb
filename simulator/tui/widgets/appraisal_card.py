"""Coach mode: how one reply landed, shown under it. Only feelings the reply reached are named;
the rest stay hidden until the debrief."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.domain import Appraisal, Touch


def _words(name: str) -> str:
    return name.replace("_", " ")


def describe(appraisal: Appraisal) -> Text:
    text = Text()
    text.append(f"Felt understood {appraisal.understood}/4", style="bold")
    reached = [(name, touch) for name, touch in appraisal.feelings.items() if touch is not Touch.NONE]
    missed = len(appraisal.feelings) - len(reached)
    if reached:
        text.append(" · reached: " + "; ".join(f"{name} ({touch.value})" for name, touch in reached))
    text.append(f" · {missed} hidden feeling{'s' if missed != 1 else ''} not reached")
    if appraisal.skills:
        text.append(" · skills: " + ", ".join(_words(s) for s in appraisal.skills))
    if appraisal.traps:
        text.append(" · traps: " + ", ".join(_words(t) for t in appraisal.traps), style="bold")
    if appraisal.inner_reaction:
        text.append(f"\nThinks: “{appraisal.inner_reaction}”", style="italic")
    return text


class AppraisalCard(Static):
    def __init__(self, appraisal: Appraisal, judged_by: str = "") -> None:
        super().__init__(describe(appraisal), classes="appraisal")
        self.tooltip = judged_by or None
        """How far to trust the card: the method that judged it and its measured agreement."""

    def show(self, appraisal: Appraisal) -> None:
        """The same line's appraisal again, now with the client's inner reaction."""
        self.update(describe(appraisal))
