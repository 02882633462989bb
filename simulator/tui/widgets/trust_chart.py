"""The client's trust over the session, as a small column chart drawn with text."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

ROWS = 5
HIGH = 10.0


def render_chart(points: list[tuple[int, float]]) -> Text:
    """One column per point (line 0 is the start), labelled with the line and the trust it shows."""
    text = Text()
    if not points:
        return Text("No appraised lines yet.")
    for row in range(ROWS, 0, -1):
        threshold = HIGH * (row - 0.5) / ROWS
        label = f"{HIGH * row / ROWS:>4.0f} │" if row in (ROWS, 1) else "     │"
        text.append(label)
        for _, trust in points:
            text.append(" ██ " if trust >= threshold else "    ")
        text.append("\n")
    text.append("   0 └" + "────" * len(points) + "\n")
    text.append("line  " + "".join(f"{line:^4}" for line, _ in points) + "   (0 is the start)\n")
    text.append("trust " + "".join(f"{trust:^4.1f}" for _, trust in points), style="dim")
    return text


class TrustChart(Static):
    def __init__(self, points: list[tuple[int, float]], **kwargs) -> None:
        super().__init__(render_chart(points), **kwargs)
