"""Saving a session without holding up the event loop.

A save ends in two fsyncs, which take milliseconds on a quiet disk and far longer on a busy one.
The writer snapshots the session on the caller's thread, so what is written is exactly the state at
the moment of asking, and writes the snapshots on one worker thread, so they land in the order
asked: a later state is never overwritten by an earlier one.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from simulator.domain import Session
from simulator.storage.sessions import SessionStore


def _retrieve(future: asyncio.Future[None]) -> None:
    # A save nobody awaits may fail quietly: the next awaited save reports the same problem.
    if not future.cancelled():
        future.exception()


class SessionWriter:
    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-save")

    def save_now(self, session: Session) -> None:
        """Save and wait, after every save asked for before."""
        path, data = self.store.encode(session)
        self._worker.submit(self.store.write, path, data).result()

    def save_soon(self, session: Session) -> asyncio.Future[None]:
        """Snapshot now, write in the background; await the result to know it is on disk."""
        path, data = self.store.encode(session)
        future = asyncio.get_running_loop().run_in_executor(self._worker, self.store.write, path, data)
        future.add_done_callback(_retrieve)
        return future

    async def save(self, session: Session) -> None:
        """Save, waiting without blocking the event loop."""
        await self.save_soon(session)

    def close(self) -> None:
        """Finish the writes asked for, then stop the worker."""
        self._worker.shutdown(wait=True)
