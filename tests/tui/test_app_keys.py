"""The keys every screen answers to: help, leaving a session and a workshop, asking before ending,
what the footer offers, and the theme remembered across runs."""

from __future__ import annotations

from simulator.tui.app import RehearseApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.help import HelpScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.home import HomeScreen
from simulator.tui.screens.session import SessionScreen
from tests.support.forms import ADVICE_FORM
from tests.tui.helpers import screen_text, type_and_send


def footer(pilot) -> str:
    return screen_text(pilot).splitlines()[-1]


async def test_f1_and_question_mark_open_each_screens_help_and_esc_closes_it(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(pilot)
        assert "Pick a client to practise with" in shown
        for key, action in (("w", "Workshop"), ("h", "History"), ("q", "Quit"), ("enter", "Start")):
            assert action in shown, action
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("enter")  # a session with Dana
        await pilot.pause()
        await pilot.press("question_mark")  # in the reply box "?" is typed, not help
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.query_one("#reply").value == "?"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(pilot)
        assert "Type your reply and press Enter" in shown and "End session" in shown
        assert "Copy" not in shown and "Next in seat" not in shown  # no editing keys; no hot seat when solo
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)


async def test_esc_steps_out_of_a_session_after_asking_and_r_resumes_it_with_the_draft_kept(server, context_for):
    server.chat.append("Yeah, but she never picks up.")
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        session = app.screen
        await type_and_send(pilot, "Have you tried asking your sister?")
        await pilot.press(*"Half a thought")
        await pilot.press("escape")
        await pilot.pause()
        shown = screen_text(pilot)
        assert "Step out of the session with Dana Whitfield?" in shown and "r on the home screen" in shown
        assert "Half a thought" in shown  # the unsent line is named: it waits in the box
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is session
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Press r to resume it" in screen_text(pilot) and " r " in footer(pilot)
        await pilot.press("r")
        await pilot.pause()
        resumed = app.screen
        assert isinstance(resumed, SessionScreen) and resumed.engine is session.engine
        assert [t.text for t in resumed.engine.branch.turns][-2:] == [
            "Have you tried asking your sister?", "Yeah, but she never picks up."]
        assert resumed.query_one("#reply").value == "Half a thought"  # nothing typed is lost


async def test_a_session_nobody_spoke_in_is_not_offered_for_resuming(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "nothing is kept" in screen_text(pilot)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.left_sessions == {}
        assert " r " not in footer(pilot)


async def test_the_footer_offers_the_hot_seat_only_in_a_workshop_and_keeps_it_at_80_columns(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Start" in footer(pilot)
        await pilot.press("enter")
        await pilot.pause()
        solo = footer(pilot)
        assert "^n" not in solo and "esc" in solo
        await pilot.press("escape", "y")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"Ana, Ben", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        workshop = footer(pilot)
        assert "^n" in workshop and "esc" in workshop


async def test_workshop_mode_can_be_left_by_emptying_the_roster(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"Ana, Ben", "enter")
        await pilot.pause()
        assert app.hot_seat.roster == ("Ana", "Ben") and "workshop: Ana, Ben" in screen_text(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.query_one("#roster").value == "Ana, Ben"  # the group as it is, to change
        assert "an empty roster and Enter ends" in screen_text(pilot)
        await pilot.press("escape")  # cancel: still a workshop
        await pilot.pause()
        assert app.hot_seat is not None
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#roster").value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.hot_seat is None and "workshop:" not in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.hot_seat is None


async def test_the_debrief_shows_its_way_back_and_q_and_esc_take_it(server, context_for):
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    async for _ in engine.say("Have you tried asking your sister?"):
        pass
    server.answers_for("client_form").append(ADVICE_FORM)
    await engine.end()
    app = RehearseApp(context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        shown = footer(pilot)
        assert "esc Back" in shown.replace("  ", " ") and "Group's alternatives" not in shown
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_the_theme_picked_is_the_theme_of_the_next_run(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.theme != "gruvbox"
        app.theme = "gruvbox"
        await pilot.pause()
    again = RehearseApp(context_for(server))
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert again.theme == "gruvbox"
