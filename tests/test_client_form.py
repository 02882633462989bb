from __future__ import annotations

import pytest

from simulator.domain import ClientForm, Session, Speaker, Touch, Turn, empathy_grade
from simulator.rating.form import form_from_answer


def answer(empathy: int, session: int = 8, quotes=()):
    keys = ["warmth", "trust", "respect", "listening", "understood"]
    return {
        "empathy": {key: empathy for key in keys},
        "helpfulness": 2,
        "session": {key: session for key in ["relationship", "goals", "approach", "overall"]},
        "comment": "  You kept telling me what to do.  ",
        "low_score_quotes": list(quotes),
    }


def session_with(*trainee_lines: str) -> Session:
    session = Session(id="s", persona_id="p")
    for line in trainee_lines:
        session.turns.extend([Turn(Speaker.CLIENT, "Yes, but..."), Turn(Speaker.TRAINEE, line)])
    return session


@pytest.mark.parametrize(
    ("total", "grade", "passed"),
    [(20, "A", True), (19, "B", True), (18, "C", False), (17, "C", False), (14, "D", False), (13, "F", False), (0, "F", False)],
)
def test_strict_grading(total, grade, passed):
    empathy = {"warmth": 4, "trust": 4, "respect": 4, "listening": 4, "understood": 4}
    remaining = 20 - total
    for key in empathy:
        take = min(4, remaining)
        empathy[key] -= take
        remaining -= take
    form = ClientForm(empathy=empathy, helpfulness=4, session={"a": 10}, comment="")
    assert form.empathy_total == total
    assert (form.grade, form.passed) == (grade, passed)
    assert empathy_grade(total) == grade


@pytest.mark.parametrize(("ratings", "at_risk"), [((10, 9, 9, 9), False), ((9, 9, 9, 9), True), ((2, 3, 1, 0), True)])
def test_session_ratings_at_or_below_36_are_at_risk(ratings, at_risk):
    data = answer(4)
    data["session"] = dict(zip(["relationship", "goals", "approach", "overall"], ratings))
    form = form_from_answer(data, session_with("Hello").turns)
    assert form.session_total == sum(ratings)
    assert form.at_risk is at_risk


def test_low_scores_keep_only_quotes_the_trainee_said():
    session = session_with("Have you tried getting more sleep?", "You should ask your sister for help.")
    form = form_from_answer(
        answer(1, quotes=[
            {"item": "listening", "quote": "\"You should ask your sister for help.\""},
            {"item": "understood", "quote": "have you tried getting more sleep"},
            {"item": "warmth", "quote": "You should ask your sister to help out more"},
        ]),
        session.turns,
    )
    quotes = {q.item: q.quote for q in form.low_score_quotes}
    assert quotes["listening"] == "You should ask your sister for help."
    assert quotes["understood"] == "have you tried getting more sleep"
    # Not said word for word: the closest line the trainee really said stands in.
    assert quotes["warmth"] == "You should ask your sister for help."
    assert form.comment == "You kept telling me what to do."


def test_quotes_for_high_scores_are_dropped():
    form = form_from_answer(answer(4, quotes=[{"item": "warmth", "quote": "Hello"}]), session_with("Hello").turns)
    assert form.low_score_quotes == ()


async def test_with_heads_the_form_follows_the_appraisals(server):
    from simulator import paths
    from simulator.domain import Appraisal, HiddenState
    from simulator.llm.chat import ChatModel, Endpoint
    from simulator.llm.model_files import DEFAULT_MODEL
    from simulator.personas.loader import load_persona_file
    from simulator.prompts import PromptRenderer
    from simulator.rating.form import fill_form
    from tests.support.forms import ADVICE_FORM

    endpoint = Endpoint(role="rater", base_url=server.base_url, api_key="x",
                        model=DEFAULT_MODEL.filename.removesuffix(".gguf"), backend="embedded",
                        temperature=0.1, max_tokens=200, timeout=10, judge="heads")
    rater = ChatModel(endpoint)
    persona = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    server.responders["client_form"] = lambda body: ADVICE_FORM  # what the model would have said
    advice = Appraisal(feelings={f.feeling: Touch.NONE for f in persona.client.hidden_feelings}, epitome={},
                       skills=(), traps=("early_advice",), understood=0, inner_reaction="")
    turns = [Turn(Speaker.CLIENT, "Tell me what to do."),
             Turn(Speaker.TRAINEE, "Why don't you ask your sister?", appraisal=advice,
                  state_after=HiddenState(trust=1.0, resistance=7.0, understood={}))]

    form = await fill_form(rater, PromptRenderer(), persona, turns)
    assert server.structured_requests() == []
    assert form.empathy_total == 0 and form.grade == "F" and form.at_risk
    assert form.comment == ("I didn't feel understood today. "
                            "I got advice before anyone understood what it's like for me.")
    assert {q.quote for q in form.low_score_quotes} == {"Why don't you ask your sister?"}
    await rater.aclose()
