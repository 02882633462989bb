"""A workshop room's folder: one seat per participant, each with its own transcripts folder, so a
participant's app can reach nothing but their own sessions.

    <transcripts>/rooms/<room id>/seats/<seat id>/name          the name they gave
    <transcripts>/rooms/<room id>/seats/<seat id>/transcripts/  their sessions (a SessionStore)
    <transcripts>/rooms/<room id>/reports/                      the leader's exports
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from simulator.storage.atomic import make_private_folder, replace_file
from simulator.storage.sessions import SessionStore

SEAT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
NAME_CHARS = 60


def new_code() -> str:
    """A code nobody guesses: 12 characters of URL-safe randomness (72 bits)."""
    return secrets.token_urlsafe(9)


def valid_seat_id(seat_id: str) -> bool:
    return bool(SEAT_ID.fullmatch(seat_id))


def clean_name(name: str) -> str:
    """A participant's name as typed: one line of printable text, at most NAME_CHARS long."""
    printable = "".join(ch if ch.isprintable() else " " for ch in name)
    return " ".join(printable.split())[:NAME_CHARS]


@dataclass(frozen=True)
class Seat:
    folder: Path

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def transcripts(self) -> Path:
        return self.folder / "transcripts"

    @property
    def name(self) -> str:
        try:
            return clean_name((self.folder / "name").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return ""

    def set_name(self, name: str) -> None:
        make_private_folder(self.folder)
        replace_file(self.folder / "name", clean_name(name).encode("utf-8"))

    def store(self) -> SessionStore:
        return SessionStore(self.transcripts)


@dataclass(frozen=True)
class Room:
    folder: Path

    @classmethod
    def create(cls, transcripts: Path) -> Room:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        room = cls(Path(transcripts) / "rooms" / f"{stamp}-{secrets.token_hex(3)}")
        make_private_folder(room.folder / "seats")
        return room

    @property
    def reports(self) -> Path:
        return self.folder / "reports"

    def seat(self, seat_id: str) -> Seat:
        if not valid_seat_id(seat_id):
            raise ValueError(f"not a seat id: {seat_id!r}")
        return Seat(self.folder / "seats" / seat_id)

    def new_seat(self) -> Seat:
        seat = self.seat(secrets.token_urlsafe(18))
        make_private_folder(seat.transcripts)
        return seat

    def seats(self) -> list[Seat]:
        folder = self.folder / "seats"
        if not folder.is_dir():
            return []
        found = [Seat(path) for path in folder.iterdir() if path.is_dir() and valid_seat_id(path.name)]
        return sorted(found, key=lambda seat: (seat.name.casefold() or "\uffff", seat.id))
