"""Small column charts drawn with text: the client's trust over a session, empathy over sessions."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

ROWS = 5
HIGH = 10.0


def render_chart(points: list[tuple[int, float]], high: float = HIGH, x_name: str = "line", y_name: str = "trust",
                 note: str = "   (0 is the start)", empty: str = "No appraised lines yet.") -> Text:
    """One column per point, labelled underneath with its x and its value; the height is value / high."""
    text = Text()
    if not points:
        return Text(empty)
    for row in range(ROWS, 0, -1):
        threshold = high * (row - 0.5) / ROWS
        label = f"{high * row / ROWS:>4.0f} │" if row in (ROWS, 1) else "     │"
        text.append(label)
        for _, trust in points:
            text.append(" ██ " if trust >= threshold else "    ")
        text.append("\n")
    text.append("   0 └" + "────" * len(points) + "\n")
    text.append(f"{x_name:<6}" + "".join(f"{x:^4}" for x, _ in points) + f"{note}\n")
    text.append(f"{y_name:<6}" + "".join(f"{value:^4.{1 if high <= 10 else 0}f}" for _, value in points), style="dim")
    return text


class TrustChart(Static):
    def __init__(self, points: list[tuple[int, float]], **kwargs) -> None:
        super().__init__(render_chart(points), **kwargs)
