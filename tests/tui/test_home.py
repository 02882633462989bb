"""Home: the gallery filters as you type, recent sessions and progress come from history, and the
model status says what each role will use."""

from __future__ import annotations

from textual.widgets import OptionList

from simulator.tui.app import RehearseApp
from simulator.tui.screens.session import SessionScreen
from tests.tui.helpers import screen_text


def listed(app) -> list[str]:
    options = app.screen.query_one("#personas", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_typing_filters_the_gallery_and_enter_opens_the_first_match(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert len(listed(app)) == len(app.context.personas)
        await pilot.press(*"silent")
        await pilot.pause()
        assert set(listed(app)) == {p.id for p in app.context.personas if p.profile.archetype.value == "silent"}
        await pilot.press(*["backspace"] * len("silent"))
        await pilot.press(*"marcus")
        await pilot.pause()
        assert listed(app) == ["marcus-hostile"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.engine.persona.id == "marcus-hostile"


async def test_recent_sessions_and_progress_come_from_history(server, context_for):
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    async for _ in engine.say("It sounds exhausting."):
        pass
    server.answers_for("client_form").append({
        "empathy": {"warmth": 4, "trust": 4, "respect": 4, "listening": 4, "understood": 3},
        "helpfulness": 3, "session": {"relationship": 9, "goals": 9, "approach": 9, "overall": 9},
        "comment": "Good.", "low_score_quotes": [],
    })
    await engine.end()
    context.begin_session("marcus-hostile")
    app = RehearseApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(pilot)
        assert "1 session · average empathy 19.0/20" in shown
        assert "1 passing grade" in shown
        assert "Dana Whitfield: 19/20 B" in shown
        assert "Marcus Reid: unfinished" in shown


async def test_model_status_for_an_endpoint_and_for_a_missing_local_model(server, context_for, isolated_env):
    from simulator.context import AppContext
    from simulator.settings import load_settings

    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert f"Model: {server.base_url} · first listed · ready" in screen_text(pilot)
    app = RehearseApp(AppContext(load_settings({}, env={})))
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        shown = screen_text(pilot)
        assert "Model: local llama.cpp" in shown and "press i to install it" in shown


async def test_a_name_typed_fast_reaches_the_filter_whole_even_its_letters_that_are_keys(server, context_for):
    """A terminal delivers a fast typist's letters together, before the filter has taken the focus:
    the "h" of "Keisha" is the History key on the gallery, and must still be part of the name."""
    from textual import events

    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for letter in "Keisha":
            app.post_message(events.Key(letter, letter))
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "Keisha"
        assert listed(app) == ["keisha-not-listening"]
