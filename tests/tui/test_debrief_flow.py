"""Coach and exam modes, silence, retry, prediction and the debrief, played through the app."""

from __future__ import annotations

from textual.widgets import Static

from simulator.tui.app import RehearseApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.prediction import PredictionScreen
from simulator.tui.screens.session import SessionScreen
from simulator.tui.widgets.appraisal_card import AppraisalCard
from simulator.tui.widgets.chat_message import ChatMessage
from simulator.tui.widgets.item_picker import ItemPicker
from tests.support.appraisals import script_appraisals
from tests.tui.helpers import screen_text, type_and_send
from tests.support.forms import ADVICE_FORM

FORM = ADVICE_FORM
LONELY = "lonely and unseen"


def texts(screen, selector) -> list[str]:
    """The text of each widget the selector matches: a Static's own, a container's Statics' joined."""
    return [str(widget.render()) if isinstance(widget, Static)
            else "\n".join(str(s.render()) for s in widget.query(Static))
            for widget in screen.query(selector)]


async def start(pilot):
    await pilot.press("enter")
    await pilot.pause()
    return pilot.app.screen


async def test_coach_mode_shows_each_appraisal_and_exam_mode_hides_it(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(110, 36)) as pilot:
        session = await start(pilot)
        persona = session.engine.persona
        script_appraisals(server, persona, touches={LONELY: "accurately"}, understood=3,
                          reaction="She actually heard me.")
        await type_and_send(pilot, "It sounds lonely, carrying it all.")
        await session.engine.settle()
        await pilot.pause()
        cards = texts(session, AppraisalCard)
        assert len(cards) == 1
        assert "Felt understood 3/4" in cards[0] and f"reached: {LONELY} (accurately)" in cards[0]
        assert "She actually heard me." in cards[0]
        shown = screen_text(pilot)
        for feeling in persona.client.hidden_feelings:
            if feeling.feeling != LONELY:  # only what the reply reached is named
                assert feeling.feeling not in shown
            assert feeling.reason[:40] not in shown
        assert "coach mode" in shown

        await pilot.press("ctrl+t")
        await pilot.pause()
        assert texts(session, AppraisalCard) == []
        assert "exam mode" in screen_text(pilot)
        await type_and_send(pilot, "Tell me more.")
        await session.engine.settle()
        await pilot.pause()
        assert texts(session, AppraisalCard) == []
        assert LONELY not in screen_text(pilot)


async def test_silence_and_retrying_the_last_line(server, context_for):
    server.chat.extend(["*shrugs*", "Dunno.", "*looks up* ...Maybe."])
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(110, 36)) as pilot:
        session = await start(pilot)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [m.text for m in session.query(ChatMessage)][1:] == ["*waits in silence*", "*shrugs*"]
        assert "(shrugs)" in screen_text(pilot)

        await type_and_send(pilot, "So why aren't you at school?")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [m.text for m in session.query(ChatMessage)][1:] == ["*waits in silence*", "*shrugs*"]
        assert session.query_one("#reply").value == "So why aren't you at school?"
        assert "retry of line 2" in screen_text(pilot)
        session.query_one("#reply").value = ""
        await type_and_send(pilot, "You don't have to talk.")
        assert [m.text for m in session.query(ChatMessage)][-1] == "*looks up* ...Maybe."
        branches = session.engine.session.branches
        assert len(branches) == 2 and branches[0].turns[-2].text == "So why aren't you at school?"


async def test_predict_then_debrief_then_try_the_worst_moment_again(server, context_for):
    server.answers_for("client_form").append(FORM)
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(120, 60)) as pilot:
        session = await start(pilot)
        persona = session.engine.persona
        script_appraisals(server, persona, understood=0, traps=("early_advice",), reaction="Here we go again.")
        await type_and_send(pilot, "Have you tried asking your sister?")
        await session.engine.settle()
        script_appraisals(server, persona, touches={LONELY: "accurately"}, understood=4, reaction="Someone gets it.")
        await type_and_send(pilot, "Nobody asks how you are.")
        await session.engine.settle()

        await pilot.press("ctrl+e", "y")  # end, and confirm
        await pilot.pause()
        assert isinstance(app.screen, PredictionScreen)
        pickers = list(app.screen.query(ItemPicker))
        assert [p.value for p in pickers] == [2, 2, 2, 2, 2, 2, 5, 5, 5, 5]
        await pilot.press("4")  # warmth: I think I was warm
        await pilot.press("down", "right", "right")  # trust 2 -> 4
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.engine.branch.prediction.empathy["warmth"] == 4

        calibration = texts(debrief, "#calibration")[0]
        assert "you overrated your empathy by 1 point" in calibration  # predicted 4+4+2+2+2, got 13
        rows = texts(debrief, "#form-rows")[0]
        assert " 3/4 " in rows and "+1" in rows and "+2" in rows
        feelings = "\n".join(texts(debrief, ".feeling"))
        for feeling in persona.client.hidden_feelings:
            assert feeling.feeling in feelings
        assert f"✔ {LONELY}" in feelings and "line 2 accurately" in feelings
        assert "never reached" in feelings
        assert "You tried, but you kept giving me advice." in texts(debrief, "#comment")[0]
        worst = texts(debrief, "#worst-moment")[0]
        assert "your line 1" in worst and "Here we go again." in worst and "early advice" in worst
        assert "Someone gets it." in texts(debrief, "#best-moment")[0]
        chart = texts(debrief, "#trust-chart")[0]
        assert "(0 is the start)" in chart and "██" in chart and "trust 2.0 0.5 " in chart

        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.query_one("#reply").value == "Have you tried asking your sister?"
        assert [m.text for m in app.screen.query(ChatMessage)] == [persona.profile.opening_lines[0]]
        assert [b.id for b in app.screen.engine.session.branches] == ["main", "retry-1"]
