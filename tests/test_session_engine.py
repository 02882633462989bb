from __future__ import annotations

import pytest

from simulator.domain import Speaker
from simulator.errors import ModelError
from tests.support.scripted_server import Fault


async def test_a_session_streams_replies_saves_every_turn_and_ends_with_a_form(server, context_for):
    context = context_for(server)
    server.chat.extend(["Dana: Yeah, but I've tried that.", "*sighs* Maybe."])
    engine = context.begin_session("dana-yes-but")
    persona = engine.persona
    saved = context.store.load(engine.session.id)
    assert [t.text for t in saved.turns] == [persona.profile.opening_lines[0]]

    pieces = [piece async for piece in engine.say("Have you thought about a respite carer?")]
    assert len(pieces) > 1
    assert [piece async for piece in engine.say("It sounds exhausting.")]
    texts = [(t.speaker, t.text) for t in context.store.load(engine.session.id).turns]
    assert texts[1:] == [
        (Speaker.TRAINEE, "Have you thought about a respite carer?"),
        (Speaker.CLIENT, "Yeah, but I've tried that."),
        (Speaker.TRAINEE, "It sounds exhausting."),
        (Speaker.CLIENT, "*sighs* Maybe."),
    ]

    server.answers_for("client_form").append({
        "empathy": {"warmth": 2, "trust": 1, "respect": 3, "listening": 2, "understood": 1},
        "helpfulness": 1,
        "session": {"relationship": 4, "goals": 3, "approach": 2, "overall": 3},
        "comment": "You jumped to fixing it.",
        "low_score_quotes": [{"item": "understood", "quote": "Have you thought about a respite carer?"}],
    })
    form = await engine.end()
    await context.aclose()
    assert (form.empathy_total, form.grade, form.at_risk) == (9, "F", True)
    assert form.low_score_quotes[0].quote == "Have you thought about a respite carer?"
    assert context.store.load(engine.session.id).form == form

    client_call = server.chat_requests()[-1]
    system = client_call.body["messages"][0]["content"]
    assert client_call.streamed
    assert persona.profile.name in system and persona.profile.situation in system
    assert persona.instructor.notes not in system
    assert all(probe.say not in system for probe in persona.instructor.probes)
    # The client's history reaches the model as alternating turns, then the live state as a last note.
    roles = [m["role"] for m in client_call.body["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "system"]
    assert "Director's note" in client_call.body["messages"][-1]["content"]

    rater_call = server.structured_requests("client_form")[-1]
    rater_prompt = rater_call.all_text
    assert rater_call.body["response_format"]["type"] == "json_schema"
    assert "empathy" in rater_call.body["response_format"]["json_schema"]["schema"]["properties"]
    for feeling in persona.client.hidden_feelings:
        assert feeling.feeling in rater_prompt
    assert "It sounds exhausting." in rater_prompt


async def test_a_failed_reply_keeps_the_line_and_a_retry_replaces_it(server, context_for):
    context = context_for(server)
    engine = context.begin_session("marcus-hostile")
    server.chat.extend([Fault(status=404), "Whatever."])
    with pytest.raises(ModelError):
        async for _ in engine.say("Tell me about the school."):
            pass
    saved = context.store.load(engine.session.id)
    assert saved.turns[-1].text == "Tell me about the school."
    assert engine.awaiting_reply
    async for _ in engine.say("Tell me what happened at the school."):
        pass
    await context.aclose()
    assert [t.text for t in context.store.load(engine.session.id).turns[1:]] == [
        "Tell me what happened at the school.", "Whatever."]


async def test_an_empty_line_is_refused(server, context_for):
    context = context_for(server)
    engine = context.begin_session("lena-silent")
    with pytest.raises(ValueError):
        async for _ in engine.say("   "):
            pass
    await context.aclose()
