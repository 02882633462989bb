"""A session open for writing is locked against every other store and process; a dead process's lock is gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from simulator.domain import Session, Speaker, Turn
from simulator.errors import StorageError
from simulator.storage.locks import Busy, FileLock, held_elsewhere
from simulator.storage.sessions import SessionStore
from tests.conftest import PROJECT_DIR
from tests.test_session_store import sample_session


def other_session(number: int = 1) -> Session:
    session = Session(id=f"20261121-11000{number}-lena-silent-0000", persona_id="lena-silent")
    session.turns.append(Turn(Speaker.CLIENT, "..."))
    return session


def test_a_second_store_cannot_write_a_session_the_first_holds(tmp_path):
    first, second = SessionStore(tmp_path), SessionStore(tmp_path)
    session = sample_session()
    first.save(session)
    with pytest.raises(StorageError) as caught:
        second.save(session)
    message = str(caught.value)
    assert message.count("\n") == 0
    assert f"session {session.id} is open in another Rehearse process — finish it there first" in message
    second.save(other_session())  # every other session works
    assert second.load(session.id) == session  # and reading is always allowed


def test_releasing_hands_the_session_over(tmp_path):
    first, second = SessionStore(tmp_path), SessionStore(tmp_path)
    session = sample_session()
    first.save(session)
    assert second.open_elsewhere(session.id) and not first.open_elsewhere(session.id)
    first.release(session.id)
    assert not second.open_elsewhere(session.id)
    session.turns.append(Turn(Speaker.CLIENT, "Fine."))
    second.save(session)
    assert first.load(session.id).turns[-1].text == "Fine."


def test_a_store_that_is_dropped_lets_go(tmp_path):
    store = SessionStore(tmp_path)
    store.save(sample_session())
    del store
    SessionStore(tmp_path).claim(sample_session().id)


def test_a_process_killed_while_holding_a_session_leaves_it_free(tmp_path):
    session = sample_session()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(PROJECT_DIR)!r})
        from simulator.storage.sessions import SessionStore
        store = SessionStore(sys.argv[1])
        store.claim({session.id!r})
        print("held", flush=True)
        time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        store = SessionStore(tmp_path)
        with pytest.raises(StorageError, match="open in another Rehearse process"):
            store.claim(session.id)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        store.save(session)  # the kernel dropped the dead process's lock
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_file_removed_under_a_waiter_is_not_shared(tmp_path):
    path = tmp_path / "x.lock"
    first, second = FileLock(path), FileLock(path)
    first.acquire()
    waiter = threading.Thread(target=second.acquire, kwargs={"timeout": 5})
    waiter.start()
    time.sleep(0.05)
    first.release()  # removes the file the waiter opened; the waiter must lock a fresh one
    waiter.join(timeout=5)
    assert second.held and held_elsewhere(path)
    with pytest.raises(Busy):
        FileLock(path).acquire(timeout=0.05)
    second.release()
    assert not path.exists()


def test_concurrent_history_listings_and_saves_keep_the_index_whole(tmp_path):
    writer = SessionStore(tmp_path)
    sessions = [other_session(n) for n in range(8)]
    errors = []

    def list_history() -> None:
        try:
            for _ in range(5):
                SessionStore(tmp_path).history()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    listers = [threading.Thread(target=list_history) for _ in range(4)]
    for thread in listers:
        thread.start()
    for session in sessions:
        writer.save(session)
    for thread in listers:
        thread.join()
    assert errors == []
    history = SessionStore(tmp_path).history()
    assert len(history.rows) == 8 and history.problems == []
    index = json.loads((tmp_path / "index.json").read_text())
    assert len(index["sessions"]) == 8
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".index.json.")]
