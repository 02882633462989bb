"""`persona try`: the app opens straight into a session with a file's persona and reloads it on change."""

from __future__ import annotations

import os

import pytest

from simulator import paths
from simulator.tui.app import RehearseApp
from simulator.tui.screens.session import SessionScreen
from tests.tui.helpers import screen_text, type_and_send

OLD_STYLE = "Fast, tired, a little sarcastic."
NEW_STYLE = "Slow and flat, answers in as few words as she can."


@pytest.fixture
def persona_file(isolated_env):
    text = (paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml").read_text(encoding="utf-8")
    path = isolated_env / "dana-draft.yaml"
    path.write_text(text.replace("id: dana-yes-but", "id: dana-draft"), encoding="utf-8")
    return path


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    before = path.stat().st_mtime_ns
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))  # a coarse clock still sees a change


def last_system_prompt(server) -> str:
    return server.chat_requests()[-1].body["messages"][0]["content"]


async def wait_for_poll(pilot) -> None:
    await pilot.pause(0.3)
    await pilot.pause()


async def test_the_app_opens_into_a_session_with_the_files_persona(server, context_for, persona_file):
    app = RehearseApp(context_for(server), persona_file=persona_file)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        persona = app.screen.engine.persona
        assert (persona.id, persona.source) == ("dana-draft", str(persona_file))
        assert persona.profile.opening_lines[0][:40] in screen_text(pilot)
        assert app.screen.engine.session.persona_id == "dana-draft"


async def test_a_saved_edit_applies_from_the_next_reply_and_a_bad_one_is_refused(server, context_for, persona_file):
    server.chat.extend(["Yeah, but she never picks up.", "Fine.", "Whatever."])
    app = RehearseApp(context_for(server), persona_file=persona_file)
    app.persona_poll_seconds = 0.1
    async with app.run_test(size=(110, 36), notifications=True) as pilot:
        await pilot.pause()
        engine = app.screen.engine
        await type_and_send(pilot, "Have you tried asking your sister?")
        assert OLD_STYLE in last_system_prompt(server)

        edit(persona_file, OLD_STYLE, NEW_STYLE)
        await wait_for_poll(pilot)
        assert "persona reloaded; it applies from the next reply" in screen_text(pilot)
        assert NEW_STYLE in engine.persona.client.speaking_style
        await type_and_send(pilot, "It sounds like nobody asks how you are.")
        assert NEW_STYLE in last_system_prompt(server) and OLD_STYLE not in last_system_prompt(server)
        assert engine.appraiser.persona is engine.persona

        edit(persona_file, "age: 44", "age: -3")
        await wait_for_poll(pilot)
        shown = screen_text(pilot)
        assert "Persona not reloaded; the old one stays" in shown
        assert "dana-draft.yaml:4: age: must be a whole" in shown
        await type_and_send(pilot, "Go on.")
        assert NEW_STYLE in last_system_prompt(server)
        assert engine.persona.profile.age == 44

    said = [request.body["messages"][-2]["content"] for request in server.chat_requests()]
    assert said == ["Have you tried asking your sister?", "It sounds like nobody asks how you are.", "Go on."]


# --- the watch and the command, without the app ----------------------------------------------------


def test_the_watch_reports_only_changes(persona_file):
    from simulator.engine.persona_reload import PersonaFileWatch, Reloaded, ReloadFailed

    watch = PersonaFileWatch(persona_file)
    assert watch.poll() is None
    edit(persona_file, OLD_STYLE, NEW_STYLE)
    change = watch.poll()
    assert isinstance(change, Reloaded) and NEW_STYLE in change.persona.client.speaking_style
    assert watch.poll() is None
    edit(persona_file, "name: Dana Whitfield", "name: [Dana")
    change = watch.poll()
    assert isinstance(change, ReloadFailed)
    assert change.problem.startswith("dana-draft.yaml:") and "\n" not in change.problem
    persona_file.unlink()
    assert watch.poll() == ReloadFailed("dana-draft.yaml: the file is gone — put it back to keep editing the persona")


async def test_replacing_the_persona_rebuilds_the_client_prompt(server, context_for, persona_file):
    from simulator.engine.persona_reload import PersonaFileWatch, replace_persona

    context = context_for(server)
    watch = PersonaFileWatch(persona_file)
    engine = context.begin_session_with(watch.load())
    assert OLD_STYLE in engine.client_messages()[0]["content"]
    edit(persona_file, OLD_STYLE, NEW_STYLE)
    replace_persona(engine, watch.poll().persona)
    assert NEW_STYLE in engine.client_messages()[0]["content"]
    assert engine.session.turns[0].text == engine.persona.profile.opening_lines[0]
    await context.aclose()


def test_try_with_an_invalid_file_exits_2_before_the_app_opens(isolated_env):
    from tests.test_headless_session import run_rehearse

    broken = isolated_env / "broken.yaml"
    broken.write_text("id: broken\n\tname: Sam\n", encoding="utf-8")
    result = run_rehearse("persona", "try", str(broken))
    assert result.returncode == 2
    assert result.stderr == (f"rehearse: error: {broken}:2: (file): line is indented with a tab — "
                             "indent with spaces; YAML does not allow tabs there\n")
    assert "Traceback" not in result.stderr and result.stdout == ""
