"""The fidelity judge: checks in code, then the shipped head over the bundled model's embedding of
the exchange. The vectors are the bundled model's own, of exchanges in no training file
(tests/fixtures/embeddings/client-replies.json, made by bench/rater/make_test_fixtures.py)."""

from __future__ import annotations

import json

import pytest

from simulator import paths
from simulator.domain import HiddenState
from simulator.engine.fidelity import LEARNED_PROBLEM, FidelityJudge, exchange_text
from simulator.engine.persona_test import run_persona_test
from simulator.llm.embedder import Embedder
from simulator.personas.loader import load_persona_file
from simulator.rating.heads import load_heads
from tests.conftest import FIXTURES
from tests.test_learned_rater import heads_rater

VECTORS = json.loads((FIXTURES / "embeddings" / "client-replies.json").read_text())
GUARDED = HiddenState(trust=1.0, resistance=6.0)


def persona(persona_id: str):
    return load_persona_file(paths.BUILTIN_PERSONAS_DIR / f"{persona_id}.yaml")


@pytest.fixture
def embedder(server):
    server.embeddings.update(VECTORS)
    return Embedder(server.base_url, "scripted-embedder", timeout=10)


async def test_the_head_catches_a_hostile_client_opening_up_that_the_code_checks_let_through(embedder, server):
    judge = FidelityJudge(embedder)
    line = "What's been the hardest part?"
    opened_up = "Honestly, I guess just feeling like I'm not good enough at home. It's been hard."

    code_only = await FidelityJudge().judge(opened_up, persona("marcus-hostile"), GUARDED, line=line)
    assert code_only.in_character
    verdict = await judge.judge(opened_up, persona("marcus-hostile"), GUARDED, line=line)
    assert verdict.problems == (LEARNED_PROBLEM,)
    assert server.embedding_requests()[-1].body["input"] == [exchange_text(line, opened_up)]

    guarded = await judge.judge("The hardest part is sitting here answering that.", persona("marcus-hostile"),
                                GUARDED, line=line)
    assert guarded.in_character


@pytest.mark.parametrize("persona_id, line, reply, advice, in_character", [
    ("marcus-hostile", "How was your week?", "Same as always. Why d'you care?", False, True),
    ("marcus-hostile", "How was your week?",
     "It was a journey of growth, and I am grateful to have this safe space to explore my emotions with you.",
     False, False),
    ("tom-silent", "What brings you here today?", "*shrugs* Dunno.", False, True),
    ("dana-yes-but", "Could you ask a neighbour to sit with your mum for an hour?",
     "Yeah, right. The neighbours are eighty and deaf. Next idea.", True, True),
    ("dana-yes-but", "Could you ask a neighbour to sit with your mum for an hour?",
     "That is a wonderful suggestion. I will reach out to my neighbours and build a support network.", True, False),
])
async def test_the_judge_says_what_a_supervisor_would(embedder, persona_id, line, reply, advice, in_character):
    state = HiddenState(trust=2.0, resistance=5.0) if persona_id == "dana-yes-but" else GUARDED
    verdict = await FidelityJudge(embedder).judge(reply, persona(persona_id), state, advice=advice, line=line)
    assert verdict.in_character is in_character, verdict.problems


async def test_without_an_embedding_model_only_the_code_checks_judge_and_it_says_so(server):
    judge = FidelityJudge()
    assert not judge.learned and "checks in code only" in judge.method
    tom = persona("tom-silent")
    long_reply = ("Well, I have been reflecting on many aspects of my life, and I would like to discuss my "
                  "relationships, my career goals and how I can develop healthier coping mechanisms going forward.")
    verdict = await judge.judge(long_reply, tom, GUARDED, line="What brings you here today?")
    assert not verdict.in_character and LEARNED_PROBLEM not in verdict.problems
    assert server.embedding_requests() == []


def test_the_shipped_head_carries_its_record_card_and_the_method_quotes_it():
    card = load_heads("fidelity").card
    assert card["seed"] and card["data"] and card["rows"] >= 100 and card["trained_by"]
    held_out = card["scores"]["run_held_out"]
    assert held_out["kappa"] > card["scores"]["code_checks_alone"]["kappa"]
    method = FidelityJudge(embedder=object()).method
    assert f"κ {held_out['kappa']}" in method and f"{card['rows']} replies labelled by hand" in method


async def test_persona_test_judges_with_the_head_when_the_rater_has_the_embedding_model(server, context_for):
    dana = persona("dana-yes-but")
    server.default_reply = "Yeah, but who would watch Mum? *rubs her eyes*"
    context = context_for(server)
    context._models["rater"] = heads_rater(server)
    try:
        report = await run_persona_test(dana, context.model("client"), context.model("rater"), context.prompts)
    finally:
        await context.aclose()
    assert "head trained on" in report.fidelity_judge and report.to_dict()["fidelity_judge"] == report.fidelity_judge
    embedded = [text for request in server.embedding_requests() for text in request.body["input"]]
    assert exchange_text(dana.instructor.probes[0].say, server.default_reply) in embedded
    assert len(embedded) == len(dana.instructor.probes) + 5  # each probe and standard line's exchange, once
