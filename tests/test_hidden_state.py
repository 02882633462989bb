from __future__ import annotations

from dataclasses import replace

from simulator import paths
from simulator.domain import Appraisal, Touch
from simulator.engine import hidden_state
from simulator.personas.loader import load_persona_file

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
FEELINGS = [f.feeling for f in DANA.client.hidden_feelings]


def appraisal(touches=(), traps=(), understood=2) -> Appraisal:
    feelings = {name: Touch.NONE for name in FEELINGS}
    feelings.update(dict(touches))
    return Appraisal(feelings=feelings, epitome={"emotional_reaction": 0, "interpretation": 0, "exploration": 0},
                     skills=(), traps=tuple(traps), understood=understood, inner_reaction="")


def test_harder_clients_start_more_guarded():
    state = hidden_state.initial_state(DANA)
    assert state.trust == 2.0 and state.resistance == 5.0
    assert set(state.understood) == set(FEELINGS)
    assert all(touch is Touch.NONE for touch in state.understood.values())


def test_accurate_empathy_raises_trust_and_eases_resistance():
    start = hidden_state.initial_state(DANA)
    after = hidden_state.apply_appraisal(start, appraisal([(FEELINGS[1], Touch.ACCURATELY)], understood=3))
    assert after.trust > start.trust + 1.5
    assert after.resistance < start.resistance
    assert after.understood[FEELINGS[1]] is Touch.ACCURATELY


def test_advice_and_arguing_lower_trust_and_harden_resistance():
    start = hidden_state.initial_state(DANA)
    after = hidden_state.apply_appraisal(start, appraisal(traps=("early_advice", "arguing"), understood=1))
    assert after.trust < start.trust
    assert after.resistance >= start.resistance + 3


def test_understanding_never_goes_backwards_and_values_stay_in_range():
    state = hidden_state.initial_state(DANA)
    state = hidden_state.apply_appraisal(state, appraisal([(FEELINGS[0], Touch.PARTLY)]))
    state = hidden_state.apply_appraisal(state, appraisal([(FEELINGS[0], Touch.NONE)], traps=TRAPS_ALL, understood=0))
    assert state.understood[FEELINGS[0]] is Touch.PARTLY
    assert state.trust == 0.0 and state.resistance == 10.0
    for _ in range(10):
        state = hidden_state.apply_appraisal(state, appraisal([(f, Touch.ACCURATELY) for f in FEELINGS], understood=4))
    assert state.trust == 10.0 and state.resistance == 0.0


TRAPS_ALL = ("early_advice", "arguing", "reassurance", "judging", "changing_subject")


def test_feelings_become_speakable_as_trust_reaches_their_level():
    state = hidden_state.initial_state(DANA)
    assert hidden_state.speakable(DANA, state) == ()
    levels = sorted(f.voice_at_trust for f in DANA.client.hidden_feelings)
    state = hidden_state.apply_appraisal(state, appraisal([(FEELINGS[1], Touch.ACCURATELY)], understood=4))
    speakable = hidden_state.speakable(DANA, state)
    assert {f.voice_at_trust for f in speakable} == {lvl for lvl in levels if lvl <= state.trust}
    assert set(speakable) | set(hidden_state.unspeakable(DANA, state)) == set(DANA.client.hidden_feelings)


def test_the_client_is_nudged_toward_what_the_therapist_reached_then_the_deepest():
    by_name = {f.feeling: f for f in DANA.client.hidden_feelings}
    lonely, self_care = by_name["lonely and unseen"], by_name["angry at being told to do self-care"]
    ashamed = by_name["ashamed that she resents her mother"]
    state = replace(hidden_state.initial_state(DANA), trust=7.0)
    assert set(hidden_state.speakable(DANA, state)) == {lonely, self_care, ashamed}
    assert hidden_state.ready_to_voice(DANA, state) == (ashamed, lonely)
    reached = replace(state, understood={**state.understood, self_care.feeling: Touch.ACCURATELY})
    assert hidden_state.ready_to_voice(DANA, reached) == (self_care, ashamed)
