"""A session as one JSON document to hand over, and read back by `rehearse import`.

The document is `session_to_dict` (the shape of `rehearse session --json`) plus a format tag and the
schema version, so older exports, and the JSON a headless session prints, import through the same
migrations as stored files.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from simulator.domain import Session
from simulator.errors import SessionNameError
from simulator.serialization import session_from_dict, session_to_dict
from simulator.storage.schema import SCHEMA_VERSION, migrate
from simulator.storage.sessions import valid_session_id

FORMAT = "rehearse-session"
NOT_AN_EXPORT_FIX = "export one with `rehearse export SESSION --format json`"


def export_document(session: Session) -> dict[str, Any]:
    return {"format": FORMAT, "schema": SCHEMA_VERSION, **session_to_dict(session)}


def export_json(session: Session) -> str:
    return json.dumps(export_document(session), indent=2, ensure_ascii=False) + "\n"


def session_from_document(data: Any, source: str) -> Session:
    """The session in an exported document; StorageError naming `source` if it is not one."""
    if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT or "id" not in data:
        raise SessionNameError(f"{source}: not a Rehearse session export", NOT_AN_EXPORT_FIX)
    try:
        session = session_from_dict(migrate(data, source))
        session.branch()
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        detail = f"{error.args[0]!r} is missing" if isinstance(error, KeyError) else " ".join(str(error).split())[:100]
        raise SessionNameError(f"{source}: not a readable Rehearse session ({detail})", NOT_AN_EXPORT_FIX) from None
    if not valid_session_id(session.id):
        raise SessionNameError(f"{source}: '{session.id}' is not a session id",
                           "use letters, digits, '.', '_' and '-' only")
    return session


def copy_id(session_id: str) -> str:
    """A fresh id for an imported copy, recognisably from the original."""
    base = session_id.split("-copy-")[0][:100]
    return f"{base}-copy-{secrets.token_hex(2)}"
