"""A reply that says a hidden feeling back in the author's own words reaches it, unless it was advice."""

from __future__ import annotations

from simulator import paths
from simulator.domain import Touch
from simulator.personas.loader import load_persona_file
from simulator.rating.appraisal import combine
from simulator.rating.overlap import named_in_reply, named_in_summary, named_in_words

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


def summarised(summary: str, reply: str) -> dict[str, Touch]:
    return named_in_summary(summary, reply, DANA.client.hidden_feelings)


ASHAMED = "ashamed that she resents her mother"


def test_a_summary_in_the_feelings_family_reaches_it():
    worn_out = "I wonder if part of you is worn out with your mum, and then you feel awful for even feeling that."
    assert summarised("guilty for resenting her mum", worn_out)[ASHAMED] is Touch.ACCURATELY
    assert summarised("lonely and unseen", "That's a lot to hold on your own.")[LONELY] is Touch.ACCURATELY


def test_a_word_two_feelings_share_does_not_single_either_out():
    # "mother" is in both "ashamed that she resents her mother" and "afraid of turning into her mother".
    assert set(summarised("thinking of her mother", "You're thinking of your mum.").values()) == {Touch.NONE}
    assert summarised("afraid for her mother", "You're afraid for your mum.")[ASHAMED] is Touch.NONE


def test_a_summary_the_reply_does_not_back_reaches_nothing():
    # A small rater that knows the hidden feelings "finds" them in a line about walks.
    walk = "Let's plan a short walk each day."
    assert set(summarised("lonely and unseen", walk).values()) == {Touch.NONE}
    assert set(summarised("nothing", REFLECTION).values()) == {Touch.NONE}


def test_a_word_of_the_feelings_own_family_reaches_it_in_part():
    in_reply = named_in_reply("That's a lot to hold on your own.", DANA.client.hidden_feelings)
    assert in_reply[LONELY] is Touch.PARTLY
    assert {name for name, touch in in_reply.items() if touch is not Touch.NONE} == {LONELY}
    # "mother" belongs to two of Dana's feelings, so it singles out neither.
    assert set(named_in_reply("How is your mother?", DANA.client.hidden_feelings).values()) == {Touch.NONE}
