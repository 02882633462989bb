"""History and progress: saved sessions listed and filtered, empathy and calibration over time,
and any session opened or exported."""

from __future__ import annotations

from textual.widgets import DataTable

from simulator.tui.app import RehearseApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.session import SessionScreen
from tests.support.forms import ADVICE_FORM
from tests.tui.helpers import screen_text


async def finished_session(context, server, persona_id: str, prediction=None):
    engine = context.begin_session(persona_id)
    async for _ in engine.say("Have you tried asking your sister?"):
        pass
    server.answers_for("client_form").append(ADVICE_FORM)
    await engine.end(prediction)
    return engine.session


def rows(app) -> list[tuple]:
    table = app.screen.query_one("#sessions", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_sessions_are_listed_filtered_charted_opened_and_exported(server, context_for):
    from simulator.domain import Prediction

    context = context_for(server)
    prediction = Prediction(empathy=dict.fromkeys(["warmth", "trust", "respect", "listening", "understood"], 4),
                            helpfulness=4, session=dict.fromkeys(["relationship", "goals", "approach", "overall"], 9))
    dana = await finished_session(context, server, "dana-yes-but", prediction)
    await finished_session(context, server, "marcus-hostile")
    unfinished = context.begin_session("lena-silent").session
    context.store.release(unfinished.id)
    app = RehearseApp(context)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        listed = rows(app)
        assert {r[1] for r in listed} == {"Dana Whitfield", "Marcus Reid", "Lena Kovač"}
        dana_row = next(r for r in listed if r[1] == "Dana Whitfield")
        assert dana_row[4:8] == ("13/20", "F", "+7", "ended")
        charts = str(app.screen.query_one("#charts").render())
        assert "Empathy per session" in charts and "score  13  13" in charts
        assert "no.1: +7" in charts and "average +7.0" in charts

        await pilot.press(*"marc")
        await pilot.pause()
        assert [r[1] for r in rows(app)] == ["Marcus Reid"]
        await pilot.press(*["backspace"] * 4, *"dana")
        await pilot.pause()
        await pilot.press("tab")  # into the table
        await pilot.press("ctrl+e")
        await pilot.pause()
        report = context.settings.transcripts / "reports" / f"{dana.id}.html"
        assert report.is_file() and "Have you tried asking your sister?" in report.read_text()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen) and app.screen.engine.session.id == dana.id

        await pilot.press("escape")
        await pilot.press("slash", *["backspace"] * 4, *"lena", "tab", "enter")  # / goes to the filter
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.engine.session.id == unfinished.id


async def test_letters_only_filter_the_filter_searches_what_was_said_and_delete_asks_first(server, context_for):
    context = context_for(server)
    dana = await finished_session(context, server, "dana-yes-but")
    marcus = await finished_session(context, server, "marcus-hostile")
    app = RehearseApp(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # A filter that starts with "e" is a filter: nothing is exported.
        await pilot.press(*"ended")
        await pilot.pause()
        assert app.screen.query_one("#history-filter").value == "ended"
        assert not (context.settings.transcripts / "reports").exists()
        # The filter finds words said in a session, not only names.
        await pilot.press(*["backspace"] * 5, *"sister")
        await pilot.pause()
        assert {r[1] for r in rows(app)} == {"Dana Whitfield", "Marcus Reid"}
        await pilot.press(*["backspace"] * 6, *"marc", "enter")  # Enter in the filter goes to the table
        await pilot.pause()
        assert [r[1] for r in rows(app)] == ["Marcus Reid"]

        await pilot.press("delete")
        await pilot.pause()
        assert "Delete the session with Marcus Reid" in screen_text(pilot)
        await pilot.press("n")  # kept
        await pilot.pause()
        assert context.store.exists(marcus.id)
        await pilot.press("delete", "y")
        await pilot.pause()
        assert not context.store.exists(marcus.id) and context.store.exists(dana.id)
        assert rows(app) == []
        assert "Deleted" in screen_text(pilot)


async def test_at_80_columns_every_column_shows_whole_and_the_year_only_when_sessions_span_two(isolated_env):
    from datetime import timedelta

    from simulator.context import AppContext
    from simulator.settings import load_settings
    from tests.test_history import make_session

    context = AppContext(load_settings({"model": {"base_url": "http://127.0.0.1:9/v1"}}))
    context.store.save(make_session(3, persona="gabriel-argumentative", trainee="Samantha", ended=False))
    context.store.save(make_session(4, persona="dana-yes-but"))
    context.store.close()  # the unfinished session was left by a process that is gone
    app = RehearseApp(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(pilot)
        assert "Gabriel Okafor" in shown and "Samantha" in shown and "interrupted" in shown and "status" in shown
        assert "Nov 09:00" in shown and "2026" not in shown

    old = make_session(5, persona="tom-silent")
    old.started_at -= timedelta(days=365)
    context = AppContext(load_settings({"model": {"base_url": "http://127.0.0.1:9/v1"}}))
    context.store.save(old)
    context.store.close()
    app = RehearseApp(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(pilot)
        assert "2025-11-" in shown and "2026-11-" in shown and "interrupted" in shown
