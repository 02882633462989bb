"""A score as a bar with its number, so meaning never rests on colour alone."""

from __future__ import annotations

from rich.text import Text

from simulator.domain import FormItem

BAR_WIDTH = 20


def bar(value: float, high: float, width: int = BAR_WIDTH) -> str:
    filled = round(width * max(0.0, min(value, high)) / high) if high else 0
    return "█" * filled + "░" * (width - filled)


def score_line(item: FormItem, score: int, width: int = BAR_WIDTH) -> Text:
    line = Text()
    line.append(f"{score:>2}/{item.high:<2} ", style="bold")
    line.append(bar(score, item.high, width))
    line.append(f"  {item.wording}")
    return line
