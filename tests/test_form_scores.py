"""The bundled small rater's form: scores worked out from how each line landed."""

from __future__ import annotations

from simulator.domain import Appraisal, HiddenState, Speaker, Turn
from simulator.rating.form_scores import remembered_understanding, scores_from_appraisals


def line(text: str, understood: int, *traps: str) -> Turn:
    appraisal = Appraisal(feelings={}, epitome={}, skills=(), traps=traps, understood=understood, inner_reaction="")
    return Turn(Speaker.TRAINEE, text, appraisal=appraisal)


def session(*lines: Turn) -> list[Turn]:
    turns = [Turn(Speaker.CLIENT, "Tell me what to do.")]
    for turn in lines:
        turns += [turn, Turn(Speaker.CLIENT, "Yes, but...")]
    return turns


TRUSTING, GUARDED = HiddenState(trust=9.0, resistance=1.0, understood={}), HiddenState(1.0, 8.0, {})
EMPATHY = session(line("It sounds like you're exhausted.", 2), line("Nobody asks how you are.", 3),
                  line("And you feel awful for even feeling that.", 4), line("That's a lot to hold alone.", 3))
ADVICE = session(line("Try a walk each day.", 0, "early_advice"), line("You're doing great.", 0, "reassurance"),
                 line("You reject every idea.", 0, "judging"))


def test_the_best_moment_and_the_end_are_what_is_remembered():
    assert remembered_understanding([2, 3, 4, 3]) == (4 + 3.5) / 2
    assert remembered_understanding([4, 0, 0]) == 2
    assert remembered_understanding([]) == 0


def test_accurate_empathy_throughout_earns_a_passing_form():
    scores = scores_from_appraisals(EMPATHY, TRUSTING)
    assert scores.empathy == {"warmth": 4, "trust": 4, "respect": 4, "listening": 4, "understood": 4}
    assert scores.low_score_lines == {}
    assert sum(scores.session.values()) > 36 and scores.helpfulness >= 3
    assert scores.comment == ('I felt really understood today. Nothing they said pushed me away. When they said '
                              '"And you feel awful for even feeling that.", it felt like they got it.')


def test_traps_fail_the_form_and_each_low_item_quotes_the_line_that_earned_it():
    scores = scores_from_appraisals(ADVICE, GUARDED)
    assert sum(scores.empathy.values()) <= 2 and sum(scores.session.values()) <= 36
    assert scores.low_score_lines["respect"] == "You reject every idea."
    assert scores.low_score_lines["understood"] == "Try a walk each day."
    assert scores.low_score_lines["listening"] == "Try a walk each day."
    assert scores.low_score_lines["warmth"] == "You reject every idea."
    assert scores.comment == ("I didn't feel understood today. I got advice before anyone understood what it's "
                              "like for me, being told it would all be fine made me feel brushed off, and I felt "
                              "judged.")


def test_one_trap_costs_only_the_items_it_offends():
    judged = session(*EMPATHY[1::2][:3], line("You're being difficult.", 0, "judging"), line("Nobody asks you.", 3))
    scores = scores_from_appraisals(judged, TRUSTING)
    assert scores.empathy["respect"] == scores.empathy["warmth"] == scores.empathy["listening"] - 1


def test_trust_in_the_therapist_cannot_run_ahead_of_the_clients_hidden_trust():
    assert scores_from_appraisals(EMPATHY, GUARDED).empathy["trust"] == 0
    assert scores_from_appraisals(EMPATHY, None).empathy["trust"] == 0


def test_a_session_without_lines_scores_nothing():
    scores = scores_from_appraisals(session(), None)
    assert sum(scores.empathy.values()) == 0 and scores.low_score_lines == {}


def test_manner_may_run_ahead_of_feeling_understood_but_not_far():
    polite = session(line("Okay.", 0), line("I see.", 1), line("Go on.", 1))
    scores = scores_from_appraisals(polite, GUARDED)
    assert scores.comment == "I didn't feel understood today. Nothing they said pushed me away."
    assert scores.empathy["respect"] == scores.empathy["warmth"] == scores.empathy["listening"] == 3
    assert scores.empathy["understood"] == 1 and scores.empathy["trust"] == 0
    assert sum(scores.empathy.values()) < 14
