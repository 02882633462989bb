"""A workshop of three plays one session in rotation and gets per-person results."""

from __future__ import annotations

from textual.widgets import Static

from simulator.tui.app import RehearseApp
from simulator.tui.screens.alternatives import AlternativesScreen
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.session import SessionScreen
from simulator.tui.widgets.chat_message import ChatMessage
from tests.support.appraisals import script_appraisals
from tests.tui.helpers import screen_text, type_and_send


def texts(screen, selector) -> list[str]:
    """The text of each widget the selector matches: a Static's own, a container's Statics' joined."""
    return [str(widget.render()) if isinstance(widget, Static)
            else "\n".join(str(s.render()) for s in widget.query(Static))
            for widget in screen.query(selector)]


async def test_three_trainees_rotate_and_each_gets_results(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"Ana, Ben, Cleo", "tab", "backspace", "1", "enter")
        await pilot.pause()
        assert app.hot_seat.roster == ("Ana", "Ben", "Cleo")
        await pilot.press("enter")  # Dana
        await pilot.pause()
        session = app.screen
        assert isinstance(session, SessionScreen)
        assert "Hot seat: Ana" in screen_text(pilot)
        persona = session.engine.persona
        script_appraisals(server, persona, understood=3, touches={"lonely and unseen": "accurately"})
        await type_and_send(pilot, "That sounds lonely.")
        await session.engine.settle()
        assert "Hot seat: Ben" in screen_text(pilot)
        script_appraisals(server, persona, understood=0, traps=("arguing",), reaction="He's lecturing me.")
        await type_and_send(pilot, "That's not really true, though.")
        await session.engine.settle()
        assert "Hot seat: Cleo" in screen_text(pilot)
        await pilot.press("ctrl+n")  # the next person taps in
        await pilot.pause()
        assert "Hot seat: Ana" in screen_text(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        assert "Hot seat: Cleo" in screen_text(pilot)
        script_appraisals(server, persona, understood=2)
        await type_and_send(pilot, "Tell me more about that.")
        await session.engine.settle()
        speakers = [m.speaker for m in session.query(ChatMessage) if "trainee" in m.classes]
        assert speakers == ["Ana", "Ben", "Cleo"]
        assert [t.by for t in session.engine.branch.turns if t.by] == ["Ana", "Ben", "Cleo"]
        assert session.engine.session.trainee == "Ana, Ben, Cleo"

        await pilot.press("ctrl+e", "y")  # end, and confirm
        await pilot.pause()
        assert "how will Dana Whitfield rate the group?" in screen_text(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        people = texts(debrief, "#people")[0]
        for name in ("Ana", "Ben", "Cleo"):
            assert name in people
        assert "Ben's line 2" in texts(debrief, "#worst-moment")[0]

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AlternativesScreen)
        script_appraisals(server, persona, understood=4, touches={"lonely and unseen": "accurately"},
                          reaction="Yes.")
        await pilot.press(*"It sounds like nobody sees how much you carry.", "enter")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = texts(app.screen, "#results")[0]
        assert "1. “It sounds like nobody sees how much you carry.”" in results
        assert "(what was said)" in results and "That's not really true, though." in results
