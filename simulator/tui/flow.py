"""What a screen hands back to the app when it is done (see RehearseApp's flow)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionOutcome:
    """How a session screen closed: `ended` (the client's form comes next), or stepped out of, saved
    to resume, with `draft`, the words left unsent in the reply box, put back on resuming."""

    ended: bool
    draft: str = ""


ENDED = SessionOutcome(ended=True)


@dataclass(frozen=True)
class Retry:
    """From the debrief: take this line back and say it another way; `text` is put back in the box."""

    line: int
    text: str
