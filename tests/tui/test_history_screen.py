"""History and progress: saved sessions listed and filtered, empathy and calibration over time,
and any session opened or exported."""

from __future__ import annotations

from textual.widgets import DataTable

from simulator.tui.app import RehearseApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.session import SessionScreen
from tests.support.forms import ADVICE_FORM


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
        await pilot.press("e")
        await pilot.pause()
        report = context.settings.transcripts / "reports" / f"{dana.id}.html"
        assert report.is_file() and "Have you tried asking your sister?" in report.read_text()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen) and app.screen.engine.session.id == dana.id

        await pilot.press("escape")
        await pilot.press(*["backspace"] * 4, *"lena", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.engine.session.id == unfinished.id
