"""How the client's hidden state moves: trust rises when empathy lands, resistance when traps are hit.

The rules live in code, not in a prompt, so they are the same on every model and can be tested.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.domain import Appraisal, HiddenFeeling, HiddenState, Persona, Touch

TRUST_FOR = {Touch.NONE: 0.0, Touch.PARTLY: 0.5, Touch.ACCURATELY: 1.5}
"""Trust gained per hidden feeling, by how well the reply reached it."""
TRUST_FOR_FEELING_UNDERSTOOD = {0: -0.5, 1: 0.0, 2: 0.0, 3: 0.5, 4: 1.0}
"""Trust gained by how understood the client felt overall (0-4)."""
TRAP_TRUST_COST = 1.0
TRAP_RESISTANCE = 1.5
RESISTANCE_EASED_BY_EMPATHY = 1.0
LOW, HIGH = 0.0, 10.0


def _clamp(value: float) -> float:
    return max(LOW, min(HIGH, value))


def initial_state(persona: Persona) -> HiddenState:
    """Harder clients start more guarded: less trust, more resistance."""
    difficulty = persona.profile.difficulty
    return HiddenState(
        trust=_clamp(3.5 - 0.5 * difficulty),
        resistance=_clamp(2.0 + difficulty),
        understood={feeling.feeling: Touch.NONE for feeling in persona.client.hidden_feelings},
    )


def apply_appraisal(state: HiddenState, appraisal: Appraisal) -> HiddenState:
    trust_gain = sum(TRUST_FOR[touch] for touch in appraisal.feelings.values())
    trust_gain += TRUST_FOR_FEELING_UNDERSTOOD.get(appraisal.understood, 0.0)
    resistance_change = 0.0
    if appraisal.traps:
        trust_gain -= TRAP_TRUST_COST * len(appraisal.traps)
        resistance_change += TRAP_RESISTANCE * len(appraisal.traps)
    elif appraisal.understood >= 3 or any(t is Touch.ACCURATELY for t in appraisal.feelings.values()):
        resistance_change -= RESISTANCE_EASED_BY_EMPATHY
    understood = dict(state.understood)
    for name, touch in appraisal.feelings.items():
        if name in understood and touch.rank > understood[name].rank:
            understood[name] = touch
    return replace(
        state,
        trust=_clamp(state.trust + trust_gain),
        resistance=_clamp(state.resistance + resistance_change),
        understood=understood,
    )


def speakable(persona: Persona, state: HiddenState) -> tuple[HiddenFeeling, ...]:
    """Hidden feelings the client can now put into words."""
    return tuple(f for f in persona.client.hidden_feelings if f.voice_at_trust <= state.trust)


READY_AT_ONCE = 2
"""How many speakable feelings the client is nudged toward at a time (a small model given all of them
says none)."""


def ready_to_voice(persona: Persona, state: HiddenState) -> tuple[HiddenFeeling, ...]:
    """The speakable feelings the client is closest to saying: those the therapist has reached first,
    then the deepest (the last to become speakable)."""
    def closeness(feeling: HiddenFeeling) -> tuple[int, float]:
        return (state.understood.get(feeling.feeling, Touch.NONE).rank, feeling.voice_at_trust)

    return tuple(sorted(speakable(persona, state), key=closeness, reverse=True)[:READY_AT_ONCE])


def unspeakable(persona: Persona, state: HiddenState) -> tuple[HiddenFeeling, ...]:
    return tuple(f for f in persona.client.hidden_feelings if f.voice_at_trust > state.trust)


def describe_trust(trust: float) -> str:
    if trust < 2:
        return "no trust"
    if trust < 4:
        return "guarded, testing"
    if trust < 6:
        return "starting to feel heard"
    if trust < 8:
        return "fairly safe"
    return "trusting, feels understood"


def describe_resistance(resistance: float) -> str:
    if resistance >= 7:
        return "pushes back hard on almost anything"
    if resistance >= 4:
        return "pushes back on suggestions"
    return "willing to go along"
