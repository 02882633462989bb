from __future__ import annotations

from simulator import paths
from simulator.domain import Appraisal, HiddenState, Speaker, Touch, Turn
from simulator.engine import hidden_state
from simulator.personas.loader import load_persona_file
from simulator.outcomes import feelings_reached, trust_curve
from simulator.rating.debrief import best_and_worst

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
LONELY, SHAME = "lonely and unseen", "ashamed that she resents her mother"


def appraised(text: str, state: HiddenState, touches=(), traps=(), understood=2, reaction="") -> tuple[Turn, HiddenState]:
    feelings = {f.feeling: Touch.NONE for f in DANA.client.hidden_feelings}
    feelings.update(dict(touches))
    appraisal = Appraisal(feelings=feelings, epitome={}, skills=(), traps=tuple(traps), understood=understood,
                          inner_reaction=reaction)
    after = hidden_state.apply_appraisal(state, appraisal)
    return Turn(Speaker.TRAINEE, text, appraisal=appraisal, state_after=after), after


def played() -> tuple[HiddenState, list[Turn]]:
    start = hidden_state.initial_state(DANA)
    one, state = appraised("Have you tried a day centre?", start, traps=("early_advice",), understood=0,
                           reaction="Here we go again.")
    two, state = appraised("That sounds lonely.", state, touches=[(LONELY, Touch.PARTLY)], understood=2)
    three, state = appraised("Nobody asks how you are, and part of you resents it.", state,
                             touches=[(LONELY, Touch.ACCURATELY), (SHAME, Touch.PARTLY)], understood=4,
                             reaction="How did she know?")
    client = Turn(Speaker.CLIENT, "Yeah, but...")
    return start, [client, one, client, two, client, three, client]


def test_each_hidden_feeling_lists_the_lines_that_reached_it():
    _, turns = played()
    reveals = {r.feeling.feeling: r for r in feelings_reached(DANA, turns)}
    assert reveals[LONELY].lines == ((2, Touch.PARTLY), (3, Touch.ACCURATELY))
    assert reveals[LONELY].best is Touch.ACCURATELY
    assert reveals[SHAME].lines == ((3, Touch.PARTLY),)
    assert reveals["afraid of turning into her mother"].best is Touch.NONE


def test_trust_curve_starts_before_the_first_line():
    start, turns = played()
    curve = trust_curve(start, turns)
    assert [point.line for point in curve] == [0, 1, 2, 3]
    trust = [point.trust for point in curve]
    assert trust[0] == start.trust and trust[1] < trust[0] < trust[3]
    assert curve[1].resistance > start.resistance  # the advice hardened her


def test_best_and_worst_moments():
    start, turns = played()
    best, worst = best_and_worst(start, turns)
    assert (best.line, best.appraisal.inner_reaction) == (3, "How did she know?")
    assert (worst.line, worst.index, worst.text) == (1, 1, "Have you tried a day centre?")
    assert worst.trust_change < 0 < best.trust_change


def test_no_appraisals_no_moments():
    assert best_and_worst(hidden_state.initial_state(DANA), [Turn(Speaker.CLIENT, "Hi")]) == (None, None)
