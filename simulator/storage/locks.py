"""Advisory locks between Rehearse processes (fcntl.flock on small lock files).

The kernel drops a process's locks when it dies, even by kill -9, so a crash never leaves a session
locked. Lock files are removed on release; `FileLock.acquire` copes with a file removed under it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from simulator.storage.atomic import FILE_MODE, make_private_folder

RETRY_EVERY = 0.01


class Busy(Exception):
    """Another process (or another lock object in this one) holds the lock."""


def _still_names(descriptor: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to `timeout` seconds; raises `Busy` if it stays taken."""
        if self.held:
            return
        make_private_folder(self.path.parent)
        deadline = time.monotonic() + timeout
        while True:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                if time.monotonic() >= deadline:
                    raise Busy(str(self.path)) from None
                time.sleep(RETRY_EVERY)
                continue
            # The holder before us may have removed the file between our open and our lock.
            if _still_names(descriptor, self.path):
                self._descriptor = descriptor
                return
            os.close(descriptor)

    def release(self) -> None:
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        try:
            self.path.unlink(missing_ok=True)  # while still locked, so no one else holds this file
        finally:
            os.close(descriptor)

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def held_elsewhere(path: Path) -> bool:
    """True if some other lock object holds the lock at `path`. Creates nothing."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing also drops the shared lock we may have taken
    return False
