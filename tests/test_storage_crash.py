"""Real `rehearse` processes: killed with SIGKILL mid-reply, resumed; two at once on the same session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, rehearse_command

FIRST_REPLY = "Yeah, but who would watch Mum?"
LONG_REPLY = " ".join(["I just keep going and going and nobody ever asks me how I am doing."] * 6)


def start_rehearse(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*rehearse_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ), cwd=PROJECT_DIR)


def run_rehearse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*rehearse_command(), *args], capture_output=True, text=True, env=dict(os.environ),
                          cwd=PROJECT_DIR, timeout=60)


def saved_turns(folder: Path) -> tuple[str, list[dict]] | None:
    """The one session file's id and active turns, once it can be read."""
    files = [p for p in folder.glob("*.json") if p.name != "index.json"] if folder.is_dir() else []
    if not files:
        return None
    record = json.loads(files[0].read_text())["session"]["1"]
    return record["id"], next(b for b in record["branches"] if b["id"] == record["active_branch"])["turns"]


def wait_until(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.fixture
def folder(endpoint_env) -> Path:
    return endpoint_env / "transcripts"


def test_sigkill_mid_reply_keeps_every_turn_and_the_partial_reply_then_resumes(server, folder):
    server.token_delay = 0.06
    server.chat.extend([FIRST_REPLY, LONG_REPLY])
    process = start_rehearse("session", "--persona", "dana-yes-but", "--say", "Maybe try a day centre?",
                             "--say", "Nobody asks how you are doing.", "--json")
    try:
        def partial_on_disk():
            found = saved_turns(folder)
            if found and found[1][-1]["speaker"] == "client" and not found[1][-1]["complete"] \
                    and len(found[1][-1]["text"].split()) >= 10:
                return found
            return None

        wait_until(partial_on_disk)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        process.kill()
        process.communicate()

    session_id, turns = saved_turns(folder)
    assert [(t["speaker"], t["complete"]) for t in turns] == [
        ("client", True), ("trainee", True), ("client", True), ("trainee", True), ("client", False)]
    assert turns[1]["text"] == "Maybe try a day centre?" and turns[2]["text"] == FIRST_REPLY
    assert turns[3]["text"] == "Nobody asks how you are doing."
    assert LONG_REPLY.startswith(turns[4]["text"]) and turns[4]["text"] != LONG_REPLY

    history = run_rehearse("history", "--json")
    assert history.returncode == 0, history.stderr
    (row,) = json.loads(history.stdout)
    assert (row["id"], row["status"], row["cut_off"], row["turns"]) == (session_id, "interrupted", True, 2)

    markdown = run_rehearse("export", session_id[:20], "--format", "md")
    assert markdown.returncode == 0, markdown.stderr
    assert f"{turns[4]['text']} **[cut off]**" in markdown.stdout

    server.token_delay = 0
    server.chat.append("...Nobody. Ever.")
    resumed = run_rehearse("resume", "--say", "That sounds lonely.")
    assert resumed.returncode == 0, resumed.stderr
    assert f"Dana Whitfield: {turns[4]['text']} [cut off]\n" in resumed.stdout
    assert "You: That sounds lonely.\nDana Whitfield: ...Nobody. Ever." in resumed.stdout
    assert "[main] Empathy" in resumed.stdout

    final = json.loads(run_rehearse("export", session_id, "--format", "json").stdout)
    assert [(t["text"], t["complete"]) for t in final["turns"][4:]] == [
        (turns[4]["text"], False), ("That sounds lonely.", True), ("...Nobody. Ever.", True)]
    assert final["form"] is not None and final["ended_at"]
    assert json.loads(run_rehearse("history", "--json").stdout)[0]["status"] == "ended"


def test_killed_before_any_reply_the_last_line_is_answered_on_resume(server, folder):
    from tests.support.scripted_server import Fault

    server.chat.append(Fault(delay=5, text="too late"))
    process = start_rehearse("session", "--persona", "dana-yes-but", "--say", "Hello, Dana.", "--json")
    try:
        wait_until(lambda: (found := saved_turns(folder)) and found[1][-1]["speaker"] == "trainee")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
        process.communicate()
    server.chat.clear()
    server.chat.append("Hi.")
    resumed = run_rehearse("resume", "--say", "How are you?", "--json")
    assert resumed.returncode == 0, resumed.stderr
    document = json.loads(resumed.stdout)
    assert [t["text"] for t in document["turns"][1:]] == ["Hello, Dana.", "Hi.", "How are you?",
                                                          server.default_reply]


def test_two_processes_on_one_session_the_second_is_told_and_others_still_work(server, folder):
    server.token_delay = 0.2
    server.chat.append(LONG_REPLY)
    process = start_rehearse("session", "--persona", "dana-yes-but", "--say", "Hello.")
    try:
        session_id, _ = wait_until(lambda: (found := saved_turns(folder)) and found[1][-1]["speaker"] != "client"
                                   and found)
        second = run_rehearse("resume", session_id, "--say", "Me too.")
        assert second.returncode == 1
        assert second.stderr == (f"rehearse: error: session {session_id} is open in another Rehearse process — "
                                 "finish it there first, or `rehearse export` it to read a copy\n")

        rows = json.loads(run_rehearse("history", "--json").stdout)
        assert [(r["id"], r["status"]) for r in rows] == [(session_id, "in progress")]
        assert run_rehearse("resume").stderr.startswith(
            "rehearse: error: every unfinished session is open in another Rehearse process")

        server.token_delay = 0
        other = run_rehearse("session", "--persona", "lena-silent", "--say", "Take your time.", "--json")
        assert other.returncode == 0, other.stderr
        assert json.loads(other.stdout)["persona_id"] == "lena-silent"
        assert run_rehearse("export", session_id, "--format", "md").returncode == 0  # reading is never locked
    finally:
        process.kill()
        process.communicate()
