"""The rater's learned judgement: shipped heads over the bundled model's embeddings.

The judgement tests read real embeddings of lines to Dana that the heads never saw in training
(tests/fixtures/embeddings/dana.json, made by bench/rater/make_test_fixtures.py), so they check the
shipped weights themselves, without the 1.1 GB model.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from simulator import paths
from simulator.domain import Speaker, Touch, Turn, TurnKind
from simulator.llm.chat import ChatModel, Endpoint
from simulator.llm.embedder import Embedder
from simulator.personas.loader import load_persona_file
from simulator.prompts import PromptRenderer
from simulator.rating.appraisal import Appraiser
from simulator.rating.embedding_text import feeling_text
from simulator.rating.heads import load_heads
from simulator.rating.learned_judge import judge_line
from tests.conftest import FIXTURES

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
VECTORS = json.loads((FIXTURES / "embeddings" / "dana.json").read_text())
FEELINGS = DANA.client.hidden_feelings
ANGER = "angry at being told to do self-care"
LONELY = "lonely and unseen"


def judged(line: str):
    return judge_line(line, VECTORS[line], FEELINGS, [VECTORS[feeling_text(f)] for f in FEELINGS])


def reached(judgement) -> set[str]:
    return {name for name, touch in judgement.feelings.items() if touch is not Touch.NONE}


@pytest.mark.parametrize("line", ["Resentment, mother, loneliness, unseen, fear, ashamed.", "My cat.", "Ditto."])
def test_word_lists_and_single_words_reach_nothing_and_leave_her_barely_understood(line):
    judgement = judged(line)
    assert reached(judgement) == set()
    assert judgement.understood <= 1


def test_refusing_to_advise_is_not_advice():
    judgement = judged("You should know I'm listening, and I'm not going to hand you another tip.")
    assert "early_advice" not in judgement.traps


@pytest.mark.parametrize("line", [
    "What helps most carers is a regular night off that someone else covers.",
    "Here's what we'll do: each evening you'll write down three things that went okay.",
    "Why don't you ask your sister to take her one weekend a month?",
])
def test_advice_is_seen_however_it_is_phrased(line):
    judgement = judged(line)
    assert "early_advice" in judgement.traps
    assert judgement.understood <= 1
    assert Touch.ACCURATELY not in judgement.feelings.values()


def test_reassurance_is_a_trap():
    assert "reassurance" in judged("Honestly, you're doing brilliantly. It will all work out.").traps


def test_a_reflection_in_other_words_reaches_its_feeling():
    anger = judged("It must make your blood boil when yet another expert tells you to pamper yourself.")
    assert ANGER in reached(anger) and anger.traps == ()
    lonely = judged("Everyone checks on your mum, and no one checks on you.")
    assert LONELY in reached(lonely) and lonely.understood >= 2


def test_the_shipped_weights_carry_their_record():
    for name in ("epitome", "lines"):
        card = load_heads(name).card
        assert card["seed"] and card["data"] and card["cross_validation"] and card["scores"]
    assert set(load_heads("epitome").card["scores"]) == {"emotional_reaction", "interpretation", "exploration"}


def heads_rater(server) -> ChatModel:
    endpoint = Endpoint(role="rater", base_url=server.base_url, api_key="x", model="scripted-model",
                        backend="embedded", temperature=0.1, max_tokens=200, timeout=10, judge="heads")
    return ChatModel(endpoint, embedder=Embedder(server.base_url, "scripted-embedder", timeout=10))


async def test_with_heads_the_model_only_voices_the_inner_reaction(server):
    server.embeddings.update(VECTORS)
    server.responders["inner_reaction"] = lambda body: {"inner_reaction": "Here we go again."}
    rater = heads_rater(server)
    appraiser = Appraiser(rater, PromptRenderer(), DANA, concurrent=False)
    line = "Why don't you ask your sister to take her one weekend a month?"
    appraisal = await appraiser.appraise([Turn(Speaker.CLIENT, "Tell me what to do."), Turn(Speaker.TRAINEE, line)])
    assert appraisal.traps == judged(line).traps and "early_advice" in appraisal.traps
    assert appraisal.inner_reaction == "Here we go again."
    assert {r.schema_name for r in server.structured_requests()} == {"inner_reaction"}
    [embedding] = server.embedding_requests()
    assert embedding.body["input"] == [line, *(feeling_text(f) for f in FEELINGS)]

    # Her feelings are embedded once a session; a silence asks for no embedding at all.
    await appraiser.appraise([Turn(Speaker.TRAINEE, "My cat.")])
    assert server.embedding_requests()[-1].body["input"] == ["My cat."]
    silence = await appraiser.appraise([Turn(Speaker.TRAINEE, "", kind=TurnKind.SILENCE)])
    assert len(server.embedding_requests()) == 2
    assert silence.traps == () and set(silence.feelings.values()) == {Touch.NONE}
    await rater.aclose()


async def test_a_session_judged_by_heads_records_it_and_its_form_follows_the_appraisals(server, context_for):
    server.embeddings.update(VECTORS)
    server.responders["inner_reaction"] = lambda body: {"inner_reaction": "Same old."}
    context = context_for(server)
    context._models["rater"] = heads_rater(server)
    engine = context.begin_session("dana-yes-but")
    server.chat.extend(["Yeah, I've tried that.", "Whatever."])
    for line in ("Why don't you ask your sister to take her one weekend a month?",
                 "What helps most carers is a regular night off that someone else covers."):
        async for _ in engine.say(line):
            pass
        await engine.settle()
    form = await engine.end()
    saved = context.store.load(engine.session.id)
    assert saved.rater_judge == "heads"
    assert server.structured_requests("client_form") == []
    assert not form.passed and form.low_score_quotes
    await context.aclose()


async def test_with_heads_the_state_moves_before_the_inner_reaction_is_voiced(server, context_for):
    server.embeddings.update(VECTORS)
    voiced = threading.Event()

    def reaction(body):
        voiced.wait(10)  # the rater model is slow to voice it; nothing else waits for it
        return {"inner_reaction": "Here we go again."}

    server.responders["inner_reaction"] = reaction
    context = context_for(server)
    context._models["rater"] = heads_rater(server)
    engine = context.begin_session("dana-yes-but")
    before = engine.state
    seen = []
    engine.on_appraised = lambda branch, index: seen.append(branch.turns[index].appraisal)
    server.chat.append("Yeah, I've tried that.")
    async for _ in engine.say("Why don't you ask your sister to take her one weekend a month?"):
        pass
    for _ in range(200):
        if seen:
            break
        await asyncio.sleep(0.02)
    [judgement] = seen
    assert "early_advice" in judgement.traps and judgement.inner_reaction == ""
    assert engine.state.trust < before.trust  # the client's next reply already plays from it
    on_disk = context.store.load(engine.session.id).turns[1]
    assert on_disk.state_after is not None and on_disk.appraisal.traps == judgement.traps

    voiced.set()
    await engine.settle()
    assert [a.inner_reaction for a in seen] == ["", "Here we go again."]
    assert seen[1].traps == judgement.traps and seen[1].understood == judgement.understood
    assert context.store.load(engine.session.id).turns[1].appraisal.inner_reaction == "Here we go again."
    await context.aclose()


async def test_a_reaction_the_rater_could_not_voice_leaves_the_judgement_and_says_so(server, context_for):
    server.embeddings.update(VECTORS)
    server.responders["inner_reaction"] = lambda body: {"wrong": "shape"}
    context = context_for(server)
    context._models["rater"] = heads_rater(server)
    engine = context.begin_session("dana-yes-but")
    server.chat.append("Yeah, I've tried that.")
    async for _ in engine.say("Why don't you ask your sister to take her one weekend a month?"):
        pass
    await engine.settle()
    turn = engine.branch.turns[1]
    assert "early_advice" in turn.appraisal.traps and turn.appraisal.inner_reaction == ""
    assert turn.note.startswith("no inner reaction:") and turn.state_after is not None
    await context.aclose()


def logprob_rater(server) -> ChatModel:
    endpoint = Endpoint(role="rater", base_url=server.base_url, api_key="x", model="scripted-model",
                        backend="openai", temperature=0.1, max_tokens=200, timeout=10, judge="logprobs")
    return ChatModel(endpoint)


def asked(body) -> str:
    return body["messages"][-1]["content"]


async def test_logprob_scoring_reads_each_answers_probability(server):
    lonely = f'"{LONELY}"'

    def p_yes(body) -> float:
        question = asked(body)
        if "give Dana Whitfield advice" in question:
            return 0.9
        if lonely in question:
            return 0.7 if "understood this feeling" in question else 0.3
        return 0.1

    server.yes_probability = p_yes
    server.responders["inner_reaction"] = lambda body: {"inner_reaction": "Another tip."}
    rater = logprob_rater(server)
    appraiser = Appraiser(rater, PromptRenderer(), DANA, concurrent=True)
    line = "You are alone with it. Try a carers group."
    appraisal = await appraiser.appraise([Turn(Speaker.CLIENT, "Tell me what to do."), Turn(Speaker.TRAINEE, line)])
    assert appraisal.traps == ("early_advice",)
    assert appraisal.feelings[LONELY] is Touch.PARTLY  # reached (0.7), not with its reason (0.3)
    assert {t for name, t in appraisal.feelings.items() if name != LONELY} == {Touch.NONE}
    assert appraisal.understood <= 1 and appraisal.skills == () and appraisal.inner_reaction == "Another tip."
    scored = [r for r in server.chat_requests() if r.body.get("logprobs")]
    assert len(scored) == 2 * len(FEELINGS) + 5 + 6 + 3
    assert all(r.body["max_tokens"] == 1 and r.body["top_logprobs"] == 10 for r in scored)
    assert all(json.dumps(line) in asked(r.body) for r in scored)  # the line is quoted as data
    await rater.aclose()


async def test_an_endpoint_without_logprobs_is_told_to_ask_instead(server):
    from simulator.errors import ModelError

    rater = logprob_rater(server)
    appraiser = Appraiser(rater, PromptRenderer(), DANA, concurrent=True)
    with pytest.raises(ModelError, match="gives no logprobs") as raised:
        await appraiser.appraise([Turn(Speaker.TRAINEE, "It sounds lonely.")])
    assert 'judge = "ask"' in raised.value.fix
    await rater.aclose()


def test_the_trust_note_quotes_the_shipped_figures_or_says_none_were_measured():
    from simulator.rating.trust import trust_note

    pipeline = load_heads("lines").card["scores"]["pipeline"]
    heads = trust_note("heads")
    assert f"any trap agreement {pipeline['any_trap']['agreement']:.2f}" in heads
    assert "personas held out" in heads and "EPITOME macro-F1" in heads
    for unmeasured in ("ask", "logprobs"):
        assert "not been measured" in trust_note(unmeasured) and "eval rater --lines" in trust_note(unmeasured)
    assert "did not record" in trust_note("")
