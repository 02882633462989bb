"""The first words of the client's reply, for a model that carries on from them.

Told in a note to push back, the bundled 1.5B model still drifts into a grateful, cooperative
client; a reply that already starts "Yeah, but" or "*scoffs*" goes on in that stance. Which
opening fits follows from what the trainee's line just did (the director's ear) and the hidden
state: the same moments the state note and cue speak to (directions.py). The persona file holds the
words (`client.openers`); without them, or once the client opens up and the moment asks for no
stance, the model writes the reply from its first word.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.domain import HiddenState, Persona
from simulator.engine.directions import HIGH_RESISTANCE, OPEN_AT_TRUST
from simulator.engine.guards import FINISHED

def opener_moment(state: HiddenState, heard: Sequence[str], *, silence: bool, strange: bool, question: bool) -> str:
    """Which of the persona's openers fit this line, or "" when the client answers freely:
    strange lines and silences first, then the traps heard, then a question or a reflection."""
    guarded = state.trust < OPEN_AT_TRUST
    if strange:
        return "strange"
    if silence:
        return "silence"
    if "early_advice" in heard:
        return "advice" if guarded or state.resistance >= HIGH_RESISTANCE else ""
    if "judging" in heard:
        return "judging" if guarded else ""
    if "reassurance" in heard:
        return "reassurance" if guarded else ""
    if question:
        return "question" if guarded else ""
    return "reflection_low_trust" if guarded else "reflection_high_trust"


def choose_opening(persona: Persona, moment: str, earlier_replies: Sequence[str], turn: int, attempt: int = 0) -> str:
    """One of the persona's openers for `moment`: one that has begun none of the session's replies
    yet, turning through them from one turn to the next (`turn`) and taking another for a rewrite
    (`attempt`); once all have been used, the one used longest ago. "" when the persona has none."""
    openers = persona.client.openers.get(moment, ()) if moment else ()
    if not openers:
        return ""
    said = [reply.strip().lower() for reply in earlier_replies]

    def last_used(text: str) -> int:
        return max((index for index, reply in enumerate(said) if reply.startswith(text.lower())), default=-1)

    fresh = [text for text in openers if last_used(text) < 0]
    if len(fresh) > attempt:
        return fresh[(turn + attempt) % len(fresh)]
    by_age = sorted(openers, key=last_used)
    return by_age[attempt % len(by_age)]


def opener_stands_alone(opening: str, reply: str) -> bool:
    """Whether `reply` is a finished opener ("You'd say that to anyone.") with more of the model's
    words after it, so that cut back to the opener it is still a whole reply. A reply that failed
    its guards is cut back when this holds: on fidelity run 17, people called 57 of 58 replies that
    were an opener alone in character, and 32 of 48 where the model went on after a finished one."""
    opening = opening.strip()
    return bool(opening) and bool(FINISHED.search(opening)) and reply.startswith(opening) \
        and bool(reply[len(opening):].strip())
