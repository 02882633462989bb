"""The stored session's schema version and the ordered migrations that bring old records up to it.

`MIGRATIONS[n - 1]` turns a version-n record into a version-(n + 1) record; each is a pure function
of plain JSON data. Add a migration at the end whenever the record's shape changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.errors import StorageError

Record = dict[str, Any]


def _branches_from_flat(record: Record) -> Record:
    """1 → 2: the first release kept one line of turns, its form and its end at the top level."""
    old = dict(record)
    main = {
        "id": "main",
        "forked_from": None,
        "fork_turn": None,
        "ended_at": old.pop("ended_at", None),
        "turns": old.pop("turns", []),
        "form": old.pop("form", None),
        "prediction": old.pop("prediction", None),
    }
    old.pop("trajectory", None)
    return {**old, "active_branch": "main", "branches": [main]}


MIGRATIONS: list[Callable[[Record], Record]] = [_branches_from_flat]
SCHEMA_VERSION = len(MIGRATIONS) + 1
"""Version 1: the first release (flat, unversioned). Version 2: branches, and a `schema` field."""


def version_of(record: Record) -> int:
    """The record's version; records from before versioning are told apart by their shape."""
    if "schema" in record:
        version = record["schema"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValueError(f"schema is {version!r}, not a version number")
        return version
    return 2 if "branches" in record else 1


def migrate(record: Record, source: str) -> Record:
    """The record brought up to SCHEMA_VERSION. `source` names the file in error messages."""
    version = version_of(record)
    if version > SCHEMA_VERSION:
        raise StorageError(f"{source}: written by a newer Rehearse (schema {version}; this one reads up to "
                           f"{SCHEMA_VERSION})", "upgrade Rehearse to open it")
    for step in MIGRATIONS[version - 1:]:
        record = step(record)
    return {**record, "schema": SCHEMA_VERSION}
