"""A reply that says a hidden feeling back in the author's own words reaches it, unless it was advice."""

from __future__ import annotations

from simulator import paths
from simulator.domain import Touch
from simulator.personas.loader import load_persona_file
from simulator.rating.appraisal import combine
from simulator.rating.overlap import named_in_words

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
FEELINGS = {f.feeling: f for f in DANA.client.hidden_feelings}
LONELY, SELF_CARE = "lonely and unseen", "angry at being told to do self-care"
REFLECTION = "You're carrying your mum, the kids and your job, and nobody is asking how you are."


def named(reply: str) -> dict[str, Touch]:
    return {name: named_in_words(reply, feeling) for name, feeling in FEELINGS.items()}


def test_the_feelings_own_words_said_back_reach_it():
    assert named(REFLECTION)[LONELY] is Touch.ACCURATELY
    assert named("And being told to take time for yourself must feel like one more thing you're failing at.")[
        SELF_CARE] is not Touch.NONE


def test_unrelated_lines_reach_nothing():
    for reply in ("Let's look at your sleep first.", "What has been the hardest moment this week?", "*waits in silence*"):
        assert set(named(reply).values()) == {Touch.NONE}, reply


def appraise(reply: str, traps=()):
    nothing = {name: Touch.NONE for name in FEELINGS}
    return combine(nothing, {}, {}, {trap: True for trap in traps}, understood=0, inner_reaction="", reply=reply,
                   named=named(reply))


def test_the_words_raise_a_rater_that_saw_nothing():
    appraisal = appraise(REFLECTION)
    assert appraisal.feelings[LONELY] is Touch.ACCURATELY
    assert appraisal.understood >= 2


def test_advice_in_the_feelings_words_reaches_nothing():
    advice = "Why don't you ask your sister to take on more, since nobody asks how you are?"
    assert named(advice)[LONELY] is not Touch.NONE
    appraisal = appraise(advice)
    assert appraisal.traps == ("early_advice",)
    assert set(appraisal.feelings.values()) == {Touch.NONE}
