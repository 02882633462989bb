"""Files replaced atomically and readable by their owner only: a TinyDB storage, and plain text."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(folder: Path) -> None:
    """Create the folder (owner-only) if it is missing; an existing folder keeps its permissions."""
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)


def _fsync_folder(folder: Path) -> None:
    # The rename lives in the folder's entries: without this a power cut can bring back the old file.
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_file(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync it, rename it over `path`, fsync the folder.

    A reader, or a process killed at any moment, sees either the old file or the new one, whole.
    """
    make_private_folder(path.parent)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def read_with_stat(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and the stat of that very file, even if it is replaced meanwhile."""
    with open(path, "rb") as handle:
        return handle.read(), os.fstat(handle.fileno())


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose every write is an atomic, fsynced, owner-only replace of the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return json.loads(text) if text.strip() else None

    def write(self, data: dict[str, Any]) -> None:
        replace_file(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def close(self) -> None:
        pass
