"""One small TinyDB file per session under the transcripts folder, locked while a process writes it.

A session file holds one document, the session record (`session_to_record` plus its schema version).
The first save of a session claims its lock, which this store keeps until `release` or `close` (or
the process ends): a second process that tries to write the same session gets a clear error.
Reading needs no lock, because every write replaces the file atomically.
"""

from __future__ import annotations

import contextlib

import json
import os
import re
import weakref
from pathlib import Path

from simulator.domain import Session
from simulator.errors import SessionNameError, StorageError
from simulator.serialization import session_from_dict, session_to_record
from simulator.storage.atomic import make_private_folder, read_with_stat, replace_file
from simulator.storage.index import INDEX_NAME, History, load_history, session_files
from simulator.storage.locks import Busy, FileLock, held_elsewhere
from simulator.storage.schema import SCHEMA_VERSION, migrate

SESSION_TABLE = "session"
SESSION_DOC_ID = 1
LOCKS_FOLDER = ".locks"
CLAIM_WAIT = 0.25
"""Seconds a claim retries: long enough to ride out another process's brief look at the lock."""
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
RESERVED_IDS = {INDEX_NAME.removesuffix(".json")}
UNREADABLE_FIX = "restore it from a backup, or move it out of the transcripts folder"


def valid_session_id(session_id: str) -> bool:
    return bool(SESSION_ID.fullmatch(session_id)) and session_id not in RESERVED_IDS


def _why(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"bad JSON at line {error.lineno}, column {error.colno}"
    if isinstance(error, KeyError):
        return f"{error.args[0]!r} is missing"
    return " ".join(str(error).split())[:100] or type(error).__name__


def _release_all(locks: dict[str, FileLock]) -> None:
    for lock in locks.values():
        lock.release()
    locks.clear()


class SessionStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._locks: dict[str, FileLock] = {}
        self._finalizer = weakref.finalize(self, _release_all, self._locks)

    # --- names ---------------------------------------------------------------------------------

    def path_for(self, session_id: str) -> Path:
        if not valid_session_id(session_id):
            raise SessionNameError(f"'{session_id}' is not a session id",
                               "use letters, digits, '.', '_' and '-' only (see `rehearse history`)")
        return self.folder / f"{session_id}.json"

    def _lock_path(self, session_id: str) -> Path:
        return self.folder / LOCKS_FOLDER / f"{session_id}.lock"

    def exists(self, session_id: str) -> bool:
        return valid_session_id(session_id) and self.path_for(session_id).is_file()

    def session_ids(self) -> list[str]:
        return sorted(entry.name.removesuffix(".json") for entry in session_files(self.folder))

    def resolve(self, wanted: str) -> str:
        """The id of the one session whose id is `wanted` or starts with it."""
        if self.exists(wanted):
            return wanted
        matches = [session_id for session_id in self.session_ids() if wanted and session_id.startswith(wanted)]
        if not matches:
            raise SessionNameError(f"no saved session '{wanted}' in {self.folder}",
                               "run `rehearse history` to list sessions")
        if len(matches) > 1:
            shown = ", ".join(matches[:3]) + (", …" if len(matches) > 3 else "")
            raise SessionNameError(f"'{wanted}' matches {len(matches)} sessions ({shown})", "give more of the id")
        return matches[0]

    # --- who may write -------------------------------------------------------------------------

    def claim(self, session_id: str) -> None:
        """Lock the session for writing by this store until `release`, `close` or the process ends."""
        if session_id in self._locks:
            return
        lock = FileLock(self._lock_path(session_id))
        try:
            make_private_folder(self.folder)
            lock.acquire(timeout=CLAIM_WAIT)
        except Busy:
            raise StorageError(f"session {session_id} is open in another Rehearse process",
                               "finish it there first, or `rehearse export` it to read a copy") from None
        except OSError as error:
            raise StorageError(f"cannot lock session {session_id} in {self.folder} ({error.strerror})",
                               "check that the transcripts folder is writable, or set REHEARSE_TRANSCRIPTS") from None
        self._locks[session_id] = lock

    def holds(self, session_id: str) -> bool:
        return session_id in self._locks

    def open_elsewhere(self, session_id: str) -> bool:
        """True while another process (or another store) has the session open for writing."""
        return not self.holds(session_id) and held_elsewhere(self._lock_path(session_id))

    def release(self, session_id: str) -> None:
        lock = self._locks.pop(session_id, None)
        if lock is not None:
            lock.release()

    def close(self) -> None:
        _release_all(self._locks)

    # --- writing and reading -------------------------------------------------------------------

    def save(self, session: Session) -> Path:
        """Replace the session's file with its current state; the first save claims the session."""
        path, data = self.encode(session)
        self.write(path, data)
        return path

    def encode(self, session: Session) -> tuple[Path, bytes]:
        """The session's file and its new contents, as `save` writes them; claims the session.

        Split from `write` so a caller can take a consistent snapshot now and write it elsewhere.
        """
        path = self.path_for(session.id)
        self.claim(session.id)
        record = {"schema": SCHEMA_VERSION, **session_to_record(session)}
        # The file's whole database is this one document: write it in one go (TinyDB's own upsert
        # would read and parse the old file twice first).
        tables = {SESSION_TABLE: {str(SESSION_DOC_ID): record}}
        return path, json.dumps(tables, ensure_ascii=False).encode("utf-8")

    def write(self, path: Path, data: bytes) -> None:
        """Replace a session file with contents from `encode`, atomically and durably."""
        try:
            replace_file(path, data)
        except OSError as error:
            raise StorageError(f"cannot save session to {path} ({error.strerror})",
                               "check that the transcripts folder is writable, or set REHEARSE_TRANSCRIPTS") from None

    def add(self, session: Session) -> Path:
        """Save a session that must not exist yet (an import), and let it go again."""
        self.claim(session.id)
        try:
            if self.path_for(session.id).exists():
                raise SessionNameError(f"session {session.id} already exists in {self.folder}",
                                   "add --as-new to import it as a copy with a new id")
            return self.save(session)
        finally:
            self.release(session.id)

    def delete(self, session_id: str) -> Path:
        """Remove a saved session for good; refused while another process has it open."""
        path = self.path_for(session_id)
        self.claim(session_id)
        try:
            path.unlink()
        except FileNotFoundError:
            raise SessionNameError(f"no saved session '{session_id}' in {self.folder}",
                               "run `rehearse history` to list sessions") from None
        except OSError as error:
            raise StorageError(f"cannot delete {path} ({error.strerror})",
                               "check that the transcripts folder is writable") from None
        finally:
            self.release(session_id)
        with contextlib.suppress(OSError):
            self._lock_path(session_id).unlink()
        return path

    def read_file(self, path: Path) -> tuple[Session, os.stat_result]:
        """The session in a file (migrated to the current schema) and the stat of what was read.

        Raises StorageError naming the file if it is damaged; FileNotFoundError if it is gone.
        """
        try:
            raw, stat = read_with_stat(path)
        except FileNotFoundError:
            raise
        except OSError as error:
            raise StorageError(f"{path}: cannot read ({error.strerror})", "check the file's permissions") from None
        try:
            record = json.loads(raw)[SESSION_TABLE][str(SESSION_DOC_ID)]
            session = session_from_dict(migrate(record, str(path)))
            session.branch()
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            raise StorageError(f"{path}: not a readable Rehearse session ({_why(error)})", UNREADABLE_FIX) from None
        if session.id != path.stem:
            raise StorageError(f"{path}: holds session '{session.id}', not '{path.stem}'",
                               "rename the file after the id inside it") from None
        return session, stat

    def load(self, session_id: str) -> Session:
        path = self.path_for(session_id)
        try:
            return self.read_file(path)[0]
        except FileNotFoundError:
            raise SessionNameError(f"no saved session '{session_id}' in {self.folder}",
                               "run `rehearse history` to list sessions") from None

    # --- history -------------------------------------------------------------------------------

    def history(self) -> History:
        """Every readable session's summary row, newest first, each with its `status`: "ended",
        "in progress" (open in a process now) or "interrupted" (unfinished, open nowhere).
        Unreadable files are skipped and listed in `problems`."""
        history = load_history(self.folder, self.folder / LOCKS_FOLDER / "index.lock", self.read_file)
        rows = []
        for row in sorted(history.rows, key=lambda r: (r["started_at"] or "", r["id"]), reverse=True):
            if row["ended_at"]:
                status = "ended"
            elif self.holds(row["id"]) or self.open_elsewhere(row["id"]):
                status = "in progress"
            else:
                status = "interrupted"
            shown = {key: value for key, value in row.items() if key not in ("fingerprint", "problem")}
            rows.append({**shown, "status": status})
        return History(rows, history.problems)
