"""The history index: a TinyDB file with one summary row per session file, kept as a cache.

Saving a turn never touches the index. Each row remembers the file's inode, size and mtime; listing
the history stats every session file and re-reads only those that changed since the index was
written, then rewrites the index once if anything did. A missing or damaged index is rebuilt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware

from simulator.domain import Session
from simulator.errors import StorageError
from simulator.storage.atomic import AtomicJSONStorage
from simulator.storage.locks import Busy, FileLock
from simulator.storage.schema import SCHEMA_VERSION
from simulator.storage.summary import summarize

INDEX_NAME = "index.json"
INDEX_VERSION = 2
"""Bump when a row's fields change: an index of another version is rebuilt."""
LOCK_WAIT = 10.0


@dataclass(frozen=True)
class History:
    rows: list[dict[str, Any]]
    """Summary rows of the readable sessions, in no particular order."""
    problems: list[str]
    """One line per session file that could not be read: the file, what is wrong, what to do."""


def session_files(folder: Path) -> Iterator[os.DirEntry]:
    """Session files only: not the index, not hidden temporary or lock files."""
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and entry.name != INDEX_NAME and not entry.name.startswith("."):
                yield entry


def _fingerprint(stat: os.stat_result) -> list[int]:
    # A save replaces the file, so its inode changes even when mtime and size happen to repeat.
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _read_index(path: Path) -> dict[str, dict[str, Any]]:
    try:
        # Through the cache, so the file is parsed once for both tables.
        with TinyDB(path, storage=CachingMiddleware(AtomicJSONStorage)) as database:
            meta = database.table("meta").get(doc_id=1)
            if not meta or meta.get("version") != INDEX_VERSION or meta.get("schema") != SCHEMA_VERSION:
                return {}
            return {row["file"]: dict(row) for row in database.table("sessions").all()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # only a cache: rebuild it


def _write_index(path: Path, rows: list[dict[str, Any]]) -> None:
    # Through the cache, so dropping and refilling the tables is one atomic write at close.
    with TinyDB(path, storage=CachingMiddleware(AtomicJSONStorage)) as database:
        database.drop_tables()
        database.table("meta").insert({"version": INDEX_VERSION, "schema": SCHEMA_VERSION})
        database.table("sessions").insert_multiple(rows)


def _row(entry: os.DirEntry, read: Callable[[Path], tuple[Session, os.stat_result]]) -> dict[str, Any]:
    path = Path(entry.path)
    try:
        session, stat = read(path)
    except StorageError as error:
        # Without the folder, so a moved folder's cached rows still name the right place.
        problem = str(error).removeprefix(f"{path}: ")
        return {"file": entry.name, "fingerprint": _fingerprint(entry.stat()), "problem": problem}
    return {"file": entry.name, "fingerprint": _fingerprint(stat), "problem": None, **summarize(session)}


def load_history(folder: Path, lock_path: Path, read: Callable[[Path], tuple[Session, os.stat_result]]) -> History:
    """Every session's summary row, from the index where it is fresh, else from the session file."""
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=LOCK_WAIT)
    except Busy:
        raise StorageError(f"the history index in {folder} stayed locked by another Rehearse process",
                           "try again in a moment") from None
    except OSError:
        lock = None  # a read-only folder: list it, cache nothing
    try:
        index_path = folder / INDEX_NAME
        cached = _read_index(index_path)
        rows: list[dict[str, Any]] = []
        changed = False
        for entry in session_files(folder):
            row = cached.get(entry.name)
            try:
                fresh = row is not None and row["fingerprint"] == _fingerprint(entry.stat())
            except FileNotFoundError:
                continue  # deleted while we listed
            if not fresh:
                try:
                    row = _row(entry, read)
                except FileNotFoundError:
                    continue
                changed = True
            rows.append(row)
        if lock is not None and (changed or len(rows) != len(cached)):
            try:
                _write_index(index_path, rows)
            except OSError:
                pass  # the listing is right either way; the next one re-reads what changed
    finally:
        if lock is not None:
            lock.release()
    return History(
        rows=[row for row in rows if not row["problem"]],
        problems=[f"{folder / row['file']}: {row['problem']}" for row in rows if row["problem"]],
    )
