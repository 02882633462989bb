"""Full-text search over saved sessions: what `rehearse history --grep` and the History filter match."""

from __future__ import annotations

from simulator.domain import Session
from simulator.errors import StorageError


def session_text(session: Session) -> str:
    """Everything said or written in a session, every branch, for searching."""
    parts = []
    for branch in session.branches:
        for turn in branch.turns:
            parts += [turn.text, turn.note, turn.appraisal.inner_reaction if turn.appraisal else ""]
        if branch.form:
            parts.append(branch.form.comment)
    return "\n".join(parts)


def session_holds(store, session_id: str, wanted: str) -> bool:
    """Whether the session's text holds `wanted` (any case). A session gone or damaged since it was
    listed matches nothing; the listing already warned about damage."""
    try:
        return wanted.casefold() in session_text(store.load(session_id)).casefold()
    except StorageError:
        return False
