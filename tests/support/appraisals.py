"""Script the rater's appraisal answers on a ScriptedServer, question by question."""

from __future__ import annotations

import re
from typing import Any

from simulator.domain import FIVE_SECRETS, TRAPS, Persona


def last_user_text(body: dict[str, Any]) -> str:
    return [m["content"] for m in body["messages"] if m["role"] == "user"][-1]


def script_appraisals(server, persona: Persona, *, touches: dict[str, str] | None = None, level: int = 0,
                      skills: tuple[str, ...] = (), traps: tuple[str, ...] = (), understood: int = 1,
                      reaction: str = "They don't get it.", named_feeling: str = "nothing") -> None:
    """Every appraisal from now on answers like this; `touches` maps a feeling's text to its touch."""
    touches = touches or {}

    def touch(body: dict[str, Any]) -> dict[str, str]:
        question = last_user_text(body)
        for feeling in persona.client.hidden_feelings:
            if f'"{feeling.feeling}"' in question:
                return {"touch": touches.get(feeling.feeling, "none")}
        raise AssertionError(f"no hidden feeling named in: {question[:80]}")

    server.responders["feeling_touch"] = touch
    def epitome(body: dict[str, Any]) -> dict[str, str]:
        """Level 2: the whole reply is quoted; level 0: nothing is."""
        reply = re.search(r'latest reply, turn \[\d+\]: "(.*)"', last_user_text(body)).group(1)
        return {"quote": reply if level == 2 else "NONE"}

    server.responders["epitome_quote"] = epitome
    server.responders["skills_and_traps"] = lambda body: {
        "skills": {name: name in skills for name in FIVE_SECRETS},
        "traps": {name: name in traps for name in TRAPS},
    }
    server.responders["client_reaction"] = lambda body: {"understood": understood, "inner_reaction": reaction}
    # The bundled small rater's two questions.
    server.responders["named_feeling"] = lambda body: {"feeling": named_feeling}
    server.responders["inner_reaction"] = lambda body: {"inner_reaction": reaction}


APPRAISAL_SCHEMAS = ("feeling_touch", "epitome_quote", "skills_and_traps", "client_reaction", "named_feeling",
                     "inner_reaction")
