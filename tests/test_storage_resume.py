"""`rehearse resume` picks the session, checks it can be carried on, and hands it to the app."""

from __future__ import annotations

import pytest

from simulator.cli import main
from simulator.storage.sessions import SessionStore
from tests.test_history import make_session


@pytest.fixture
def store(isolated_env):
    store = SessionStore(isolated_env / "transcripts")
    for session in (make_session(3, ended=False), make_session(4), make_session(5, ended=False),
                    make_session(6)):
        store.save(session)
    store.close()
    return store


class AppWithResume:
    opened: list = []

    def __init__(self, context, resume: str | None = None) -> None:
        self.context, self.resume = context, resume

    def run(self) -> None:
        AppWithResume.opened.append((self.resume, self.context.store.holds(self.resume)))


def use_app(monkeypatch, app) -> None:
    import simulator.commands.app
    import simulator.tui.app

    monkeypatch.setattr(simulator.tui.app, "RehearseApp", app)
    monkeypatch.setattr(simulator.commands.app, "on_a_terminal", lambda: True)


def test_with_no_session_the_newest_interrupted_one_opens_in_the_app_locked(store, monkeypatch):
    use_app(monkeypatch, AppWithResume)
    AppWithResume.opened.clear()
    assert main(["resume"]) == 0
    assert AppWithResume.opened == [("20261105-090000-dana-yes-but-0005", True)]


async def test_the_app_opens_a_saved_session_where_it_stopped(server, endpoint_env):
    from simulator.context import AppContext
    from simulator.domain import Speaker, Turn
    from simulator.settings import load_settings
    from simulator.tui.app import RehearseApp
    from simulator.tui.screens.session import SessionScreen
    from simulator.tui.widgets.chat_message import ChatMessage

    saved = SessionStore(endpoint_env / "transcripts")
    session = make_session(7, ended=False)
    session.turns.append(Turn(Speaker.TRAINEE, "And then what happened?"))
    session.turns.append(Turn(Speaker.CLIENT, "Then she just", complete=False))
    saved.save(session)
    saved.close()
    app = RehearseApp(AppContext(load_settings()), resume=session.id[:15])
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        messages = list(app.screen.query(ChatMessage))
        assert [m.text for m in messages] == [t.text for t in session.turns]
        assert messages[-1].note == "cut off"
        assert app.context.store.holds(session.id)


def test_an_ended_session_cannot_be_resumed(store, capsys):
    assert main(["resume", "20261106-090000-dana-yes-but-0006", "--say", "Hi"]) == 2
    assert "session 20261106-090000-dana-yes-but-0006 has ended — read it with `rehearse export" in \
           capsys.readouterr().err


def test_nothing_to_resume_is_one_clear_line(isolated_env, capsys):
    assert main(["resume"]) == 1
    err = capsys.readouterr().err
    assert err == f"rehearse: error: no unfinished session in {isolated_env / 'transcripts'} — start one with `rehearse`\n"


def test_json_without_say_is_refused(store, capsys):
    assert main(["resume", "20261105", "--json"]) == 2
    assert "--predict and --json need --say" in capsys.readouterr().err
