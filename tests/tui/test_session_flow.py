"""A whole session played through the app with Pilot, against our scripted server."""

from __future__ import annotations

import asyncio

from simulator.tui.app import RehearseApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.prediction import PredictionScreen
from simulator.tui.screens.session import SessionScreen
from simulator.tui.widgets.chat_message import ChatMessage
from tests.support.scripted_server import Fault
from tests.tui.helpers import screen_text, type_and_send
from tests.support.forms import ADVICE_FORM

FORM = ADVICE_FORM


async def test_pick_a_persona_talk_twice_end_and_see_the_form(server, context_for):
    server.chat.extend(["Yeah, but she never picks up.", "*long pause* ...Maybe. I don't know."])
    server.answers_for("client_form").append(FORM)
    # The rater says her loneliness was reached, and no other feeling.
    server.responders["feeling_touch"] = lambda body: {
        "touch": "accurately" if '"lonely and unseen"' in body["messages"][-1]["content"] else "none"}
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "Dana Whitfield" in screen_text(pilot)
        await pilot.press("enter")  # the first persona in the list: Dana
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        persona = app.screen.engine.persona
        assert persona.profile.opening_lines[0][:40] in screen_text(pilot)

        await type_and_send(pilot, "Have you tried asking your sister?")
        await type_and_send(pilot, "It sounds like nobody asks how you are.")
        messages = [(m.speaker, m.text) for m in app.screen.query(ChatMessage)]
        assert messages[1:] == [
            ("You", "Have you tried asking your sister?"),
            ("Dana Whitfield", "Yeah, but she never picks up."),
            ("You", "It sounds like nobody asks how you are."),
            ("Dana Whitfield", "*long pause* ...Maybe. I don't know."),
        ]
        await app.screen.engine.settle()
        await pilot.pause()
        shown = screen_text(pilot)
        # Coach cards name only the feelings a line reached; the rest, and every reason, stay hidden.
        reached = {name for turn in app.screen.engine.branch.turns if turn.appraisal
                   for name, touch in turn.appraisal.feelings.items() if touch.value != "none"}
        assert reached == {"lonely and unseen"}
        for feeling in persona.client.hidden_feelings:
            assert feeling.reason[:30] not in shown
            if feeling.feeling not in reached:
                assert feeling.feeling not in shown
        assert persona.instructor.notes[:30] not in shown

        await pilot.press("ctrl+e")  # asks first; "n" keeps the session going
        await pilot.pause()
        assert "End the session with Dana Whitfield?" in screen_text(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("ctrl+e", "y")
        await pilot.pause()
        assert isinstance(app.screen, PredictionScreen)
        shown = screen_text(pilot)
        assert "how will Dana Whitfield rate you?" in shown
        assert "13/20" not in shown  # nothing of the form before the prediction
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        shown = screen_text(pilot)
        assert "Empathy 13/20 — grade F (FAIL" in shown
        assert "Session ratings 20/40 — AT RISK" in shown

    chat = server.chat_requests()
    assert len(chat) == 2 and all(request.streamed for request in chat)
    assert persona.profile.situation in chat[0].body["messages"][0]["content"]
    (rater,) = server.structured_requests("client_form")
    assert rater.body["response_format"]["type"] == "json_schema"
    assert rater.body["response_format"]["json_schema"]["schema"]["required"]
    for feeling in persona.client.hidden_feelings:
        assert feeling.feeling in rater.all_text


async def test_a_failed_reply_puts_the_trainees_words_back(server, context_for):
    server.chat.extend([Fault(status=401), "Fine."])
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await type_and_send(pilot, "What brings you here today?")
        reply_box = app.screen.query_one("#reply")
        assert reply_box.value == "What brings you here today?"
        assert "rejected the API key" in screen_text(pilot)
        assert [m.text for m in app.screen.query(ChatMessage)][1:] == []
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [m.text for m in app.screen.query(ChatMessage)][1:] == ["What brings you here today?", "Fine."]
        assert reply_box.value == ""


async def test_without_an_endpoint_the_app_says_what_to_set(isolated_env):
    from simulator.context import AppContext
    from simulator.settings import load_settings

    app = RehearseApp(AppContext(load_settings({}, env={})))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)
        assert "the local model is not installed" in screen_text(pilot)


async def test_escape_stops_a_reply_and_gives_the_line_back(context_for):
    from tests.support.scripted_server import ScriptedServer

    with ScriptedServer(token_delay=0.3) as slow:
        slow.chat.append("Well if you must know it was a really long and difficult week for everyone")
        app = RehearseApp(context_for(slow))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press(*"How was your week?", "enter")
            await pilot.pause(0.5)
            assert app.screen.busy
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not app.screen.busy
            assert app.screen.query_one("#reply").value == "How was your week?"
            assert len(app.screen.query(ChatMessage)) == 1
            assert "Reply stopped" in screen_text(pilot)


async def test_escape_at_once_after_enter_gives_the_line_back_and_keeps_no_reply(context_for, monkeypatch):
    from simulator.tui.screens import session as session_screen
    from tests.support.scripted_server import Fault, ScriptedServer

    monkeypatch.setattr(session_screen, "MOUNT_AFTER", 5.0)  # so Esc surely lands before the messages are drawn
    with ScriptedServer() as slow:
        slow.chat.append(Fault(delay=1.0, text="Fine."))
        app = RehearseApp(context_for(slow))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press(*"How was your week?")
            app.simulate_key("enter")
            while not app.screen.busy:
                await asyncio.sleep(0.001)
            assert len(app.screen.query(ChatMessage)) == 1  # the new messages are not drawn yet
            app.simulate_key("escape")
            await pilot.pause(0.2)
            assert not app.screen.busy
            assert app.screen.query_one("#reply").value == "How was your week?"
            assert len(app.screen.query(ChatMessage)) == 1
            engine = app.screen.engine
            assert [t.speaker for t in engine.branch.turns if t.text == "Fine."] == []


async def test_a_dropped_stream_gives_the_line_back(server, context_for):
    server.chat.append(Fault(drop_after=2, text="I was going to say something"))
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await type_and_send(pilot, "Go on.")
        assert app.screen.query_one("#reply").value == "Go on."
        assert "cut off" in screen_text(pilot)


async def test_the_screens_actions_are_in_the_command_palette(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        commands = list(app.get_system_commands(app.screen))
        titles = [command.title for command in commands]
        # The screen's own actions come first, each with its key; the reply box's editing keys are not actions.
        assert titles[:6] == ["Stop / leave", "End session", "Stay silent", "Retry last line", "Coach/exam", "Help"]
        assert "(key: ^e)" in commands[1].help
        assert not {"Copy", "Cut", "Paste", "Delete", "Delete all", "Focus Next"} & set(titles)
        assert "Next in seat" not in titles  # a solo session has no hot seat
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Coach/exam", "enter")
        await pilot.pause(0.3)
        assert app.screen.coach is False


async def palette_finds(pilot, query: str) -> str:
    """What the command palette lists for a query typed into it, as a user sees it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.4)
    shown = screen_text(pilot)
    await pilot.press("escape")
    await pilot.pause()
    return shown


async def test_the_palette_finds_every_screens_actions_and_its_letters_go_into_the_search(server, context_for):
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        home = app.screen
        assert "Workshop" in await palette_finds(pilot, "workshop")
        assert "History" in await palette_finds(pilot, "history")
        assert app.screen is home  # the letters went into the palette's search, not to the home screen
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        found = await palette_finds(pilot, "export")
        assert "Export HTML" in found and "(key: ^e)" in found
        assert "Back" in await palette_finds(pilot, "back")
        assert app.screen is not home
async def test_a_line_the_rater_could_not_rate_says_so(server, context_for):
    server.chat.append("Yeah, but she never picks up.")
    server.responders["skills_and_traps"] = lambda body: "no idea"  # not JSON, even when asked again
    app = RehearseApp(context_for(server))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await type_and_send(pilot, "Have you tried asking your sister?")
        await app.screen.engine.settle()
        await pilot.pause()
        line = [m for m in app.screen.query(ChatMessage) if m.speaker == "You"][0]
        assert line.note.startswith("not rated: ")
        assert "not rated" in screen_text(pilot)


async def test_with_heads_the_coach_card_shows_at_once_and_gains_the_inner_reaction(server, context_for):
    import json
    import threading

    from simulator.llm.chat import ChatModel, Endpoint
    from simulator.llm.embedder import Embedder
    from simulator.tui.widgets.appraisal_card import AppraisalCard
    from tests.conftest import FIXTURES

    server.embeddings.update(json.loads((FIXTURES / "embeddings" / "dana.json").read_text()))
    voiced = threading.Event()
    server.responders["inner_reaction"] = lambda body: voiced.wait(10) and {"inner_reaction": "Here we go again."}
    server.chat.append("Yeah, I've tried that.")
    context = context_for(server)
    endpoint = Endpoint(role="rater", base_url=server.base_url, api_key="x", model="scripted-model",
                        backend="embedded", temperature=0.1, max_tokens=200, timeout=10, judge="heads")
    context._models["rater"] = ChatModel(endpoint, embedder=Embedder(server.base_url, "scripted", timeout=10))
    app = RehearseApp(context)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await type_and_send(pilot, "Why don't you ask your sister to take her one weekend a month?")
        for _ in range(100):
            if app.screen.query(AppraisalCard):
                break
            await pilot.pause(0.05)
        [card] = app.screen.query(AppraisalCard)
        shown = screen_text(pilot)
        assert "Felt understood" in shown and "early advice" in shown and "Thinks:" not in shown
        voiced.set()
        await app.screen.engine.settle()
        await pilot.pause()
        assert len(app.screen.query(AppraisalCard)) == 1  # the same card, now with her thought
        assert "Thinks: “Here we go again.”" in screen_text(pilot)
