"""A tab of `rehearse serve` on the room's shared model: while another tab's reply holds the model,
the session says how many are ahead, then the client answers."""

from __future__ import annotations

import asyncio
import os
import threading

from simulator.context import AppContext
from simulator.llm.shared import SharedEngines, Upstream
from simulator.settings import load_settings
from simulator.tui.app import RehearseApp
from tests.tui.helpers import screen_text


async def test_the_session_shows_its_place_in_the_rooms_queue_then_the_reply(server, isolated_env, monkeypatch):
    shared = SharedEngines([Upstream(role, server.base_url, "scripted") for role in ("client", "rater")],
                           bundled=False)
    shared.start()
    for name, value in shared.environment().items():
        monkeypatch.setenv(name, value)
    server.default_reply = "Yeah, but she never picks up."
    gate, holding = threading.Event(), threading.Event()

    async def another_tabs_request() -> None:  # holds the client's model, as a long reply would
        async with shared.queues["client"].turn("another-tab"):
            holding.set()
            await asyncio.to_thread(gate.wait)

    context = AppContext(load_settings({}, env=dict(os.environ)))
    app = RehearseApp(context)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")  # Dana
            await app.workers.wait_for_complete()
            await pilot.pause()
            other = shared.submit(another_tabs_request())
            await asyncio.to_thread(holding.wait, 5)
            await pilot.press(*"Have you tried asking your sister?", "enter")
            seen = ""
            for _ in range(40):
                await pilot.pause(0.1)
                seen = screen_text(pilot)
                if "ahead of you" in seen:
                    break
            assert "Dana Whitfield will answer soon: the room's model has 1 ahead of you" in seen
            gate.set()
            await asyncio.wrap_future(other)
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = screen_text(pilot)
            assert "Yeah, but she never picks up." in shown and "ahead of you" not in shown
    finally:
        gate.set()
        shared.stop()
