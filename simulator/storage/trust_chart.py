"""The client's hidden trust (and resistance) over the trainee's lines, as an inline SVG chart."""

from __future__ import annotations

from simulator.outcomes import TrustPoint

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36
SCALE_TOP = 10.0


def _x(line: int, last: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (line / max(last, 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / SCALE_TOP)


def _path(points: tuple[TrustPoint, ...], last: int, value) -> str:
    return " ".join(f"{_x(p.line, last):.1f},{_y(value(p)):.1f}" for p in points)


def trust_chart(points: tuple[TrustPoint, ...]) -> str:
    """An <svg> element; empty text when there is nothing to draw."""
    if not points:
        return ""
    last = max(point.line for point in points)
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'class="chart" aria-label="Client trust and resistance after each of your lines">',
             "<title>Client trust and resistance after each of your lines</title>"]
    for value in range(0, 11, 2):
        y = _y(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    step = max(1, last // 12)
    for line in range(0, last + 1, step):
        parts.append(f'<text x="{_x(line, last):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                     f'{"start" if line == 0 else line}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 4}" text-anchor="middle" class="axis">'
                 "your line</text>")
    parts.append(f'<polyline points="{_path(points, last, lambda p: p.resistance)}" class="resistance"/>')
    parts.append(f'<polyline points="{_path(points, last, lambda p: p.trust)}" class="trust"/>')
    for point in points:
        parts.append(f'<circle cx="{_x(point.line, last):.1f}" cy="{_y(point.trust):.1f}" r="4" class="trust">'
                     f"<title>line {point.line}: trust {point.trust:g}, resistance {point.resistance:g}</title>"
                     "</circle>")
    parts.append("</svg>")
    return "".join(parts)
