"""Saves leave the event loop free and land in the order they were asked for."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from simulator.domain import Session, Speaker, Turn
from simulator.storage.sessions import SessionStore
from simulator.storage.writer import SessionWriter


class GatedStore(SessionStore):
    """A real store whose writes wait at a gate, as they would on a disk that is slow to fsync."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.gate = threading.Event()

    def write(self, path: Path, data: bytes) -> None:
        self.gate.wait(timeout=10)
        super().write(path, data)


def a_session() -> Session:
    return Session(id="20261121-101500-dana-yes-but-ab12", persona_id="dana-yes-but")


async def test_the_loop_runs_on_while_a_save_waits_for_the_disk(tmp_path):
    store = GatedStore(tmp_path)
    writer = SessionWriter(store)
    session = a_session()
    session.turns.append(Turn(Speaker.TRAINEE, "It sounds like you're exhausted."))
    saved = writer.save_soon(session)
    ticks = 0
    for _ in range(5):
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 5 and not saved.done()
    assert not store.path_for(session.id).exists()
    store.gate.set()
    await saved
    assert SessionStore(tmp_path).load(session.id).turns[0].text == "It sounds like you're exhausted."
    writer.close()
    store.close()


async def test_what_is_written_is_the_state_when_the_save_was_asked(tmp_path):
    store = GatedStore(tmp_path)
    writer = SessionWriter(store)
    session = a_session()
    session.turns.append(Turn(Speaker.TRAINEE, "first"))
    saved = writer.save_soon(session)
    session.turns.append(Turn(Speaker.CLIENT, "not yet asked to be saved"))
    store.gate.set()
    await saved
    assert [t.text for t in SessionStore(tmp_path).load(session.id).turns] == ["first"]
    writer.close()
    store.close()


async def test_saves_land_in_the_order_asked(tmp_path):
    store = SessionStore(tmp_path)
    writer = SessionWriter(store)
    session = a_session()
    pending = []
    for number in range(30):
        session.turns.append(Turn(Speaker.TRAINEE, f"line {number}"))
        pending.append(writer.save_soon(session))
    writer.save_now(session)  # waits behind every save before it
    assert len(SessionStore(tmp_path).load(session.id).turns) == 30
    await asyncio.gather(*pending)
    session.turns.append(Turn(Speaker.CLIENT, "last"))
    await writer.save(session)
    assert SessionStore(tmp_path).load(session.id).turns[-1].text == "last"
    writer.close()
    store.close()
