"""What each screen looks like, compared with the saved SVG snapshots (update: pytest --snapshot-update)."""

from __future__ import annotations

import pytest

from simulator.tui.app import RehearseApp
from tests.support.forms import ADVICE_FORM

FORM = ADVICE_FORM


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_home(snap_compare, isolated_env, size):
    from simulator.context import AppContext
    from simulator.settings import load_settings

    # A fixed address, so the model status line reads the same every run; the home screen calls no model.
    context = AppContext(load_settings({"model": {"base_url": "http://127.0.0.1:8080/v1"}}))
    assert snap_compare(RehearseApp(context), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_session_after_one_exchange(snap_compare, server, context_for, size):
    server.chat.append("Yeah, but she never picks up.")

    async def play(pilot):
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Have you tried asking your sister?", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.app.screen.engine.settle()  # the coach card is in the picture, however fast the rater is
        pilot.app.screen.query_one("#reply").cursor_blink = False  # a blinking cursor makes the picture random
        await pilot.pause()

    assert snap_compare(RehearseApp(context_for(server)), terminal_size=size, run_before=play)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_debrief(snap_compare, server, context_for, size):
    server.chat.append("Yeah, but she never picks up.")
    server.answers_for("client_form").append(FORM)

    async def play(pilot):
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Have you tried asking your sister?", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("ctrl+e", "y")  # end, and confirm
        await pilot.pause()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(RehearseApp(context_for(server)), terminal_size=size, run_before=play)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_history(snap_compare, isolated_env, size):
    from simulator.context import AppContext
    from simulator.settings import load_settings
    from tests.test_history import make_session

    context = AppContext(load_settings({"model": {"base_url": "http://127.0.0.1:8080/v1"}}))
    for day, persona in ((3, "dana-yes-but"), (4, "marcus-hostile"), (5, "lena-silent")):
        context.store.save(make_session(day, persona=persona, predicted=day == 3))
    context.store.save(make_session(6, persona="tom-silent", ended=False))  # the longest status must fit
    context.store.close()

    async def open_history(pilot):
        await pilot.press("h")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(RehearseApp(context), terminal_size=size, run_before=open_history)
