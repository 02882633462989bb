"""What each screen looks like, compared with the saved SVG snapshots (update: pytest --snapshot-update)."""

from __future__ import annotations

import pytest

from simulator.tui.app import RehearseApp

FORM = {
    "empathy": {"warmth": 3, "trust": 2, "respect": 4, "listening": 3, "understood": 1},
    "helpfulness": 1,
    "session": {"relationship": 6, "goals": 5, "approach": 4, "overall": 5},
    "comment": "You tried, but you kept giving me advice.",
    "low_score_quotes": [{"item": "understood", "quote": "Have you tried asking your sister?"}],
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_home(snap_compare, server, context_for, size):
    assert snap_compare(RehearseApp(context_for(server)), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_session_after_one_exchange(snap_compare, server, context_for, size):
    server.chat.append("Yeah, but she never picks up.")

    async def play(pilot):
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Have you tried asking your sister?", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(RehearseApp(context_for(server)), terminal_size=size, run_before=play)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_form(snap_compare, server, context_for, size):
    server.chat.append("Yeah, but she never picks up.")
    server.answers_for("client_form").append(FORM)

    async def play(pilot):
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Have you tried asking your sister?", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("ctrl+e")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(RehearseApp(context_for(server)), terminal_size=size, run_before=play)
