"""One small TinyDB file per session under the transcripts folder."""

from __future__ import annotations

import json
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from simulator.domain import Session
from simulator.errors import StorageError
from simulator.serialization import session_from_dict, session_to_record
from simulator.storage.atomic import AtomicJSONStorage

SESSION_TABLE = "session"
SESSION_DOC_ID = 1


class SessionStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.json"

    def save(self, session: Session) -> Path:
        path = self.path_for(session.id)
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as database:
                database.table(SESSION_TABLE).upsert(Document(session_to_record(session), doc_id=SESSION_DOC_ID))
        except OSError as error:
            raise StorageError(f"cannot save session to {path} ({error.strerror})",
                               "check that the transcripts folder is writable, or set REHEARSE_TRANSCRIPTS") from None
        return path

    def load(self, session_id: str) -> Session:
        path = self.path_for(session_id)
        if not path.is_file():
            raise StorageError(f"no saved session '{session_id}' in {self.folder}", "run `rehearse history` to list sessions")
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as database:
                document = database.table(SESSION_TABLE).get(doc_id=SESSION_DOC_ID)
            if document is None:
                raise KeyError(SESSION_TABLE)
            return session_from_dict(dict(document))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise StorageError(f"{path}: not a readable Rehearse session", "restore it from a backup or delete it") from None

    def session_ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))
