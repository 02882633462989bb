from __future__ import annotations

import html
import re

from textual.pilot import Pilot


def screen_text(pilot: Pilot) -> str:
    """Everything the terminal shows right now, as plain text."""
    svg = pilot.app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape(" ".join(lines)).replace("\xa0", " ")


async def type_and_send(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
