"""A reply is saved while it streams, marked cut off; every clean way out takes the partial back."""

from __future__ import annotations

import time

from simulator.domain import Speaker
from simulator.engine import session as engine_module
from simulator.engine.session import SessionEngine
from simulator.storage.sessions import SessionStore

LINE = "It sounds like you're exhausted."
LONG_REPLY = " ".join(f"word{n}" for n in range(40))


def saved_turns(context, engine):
    return SessionStore(context.store.folder).load(engine.session.id).turns


async def test_a_streaming_reply_is_on_disk_marked_cut_off_then_saved_whole(server, context_for, monkeypatch):
    monkeypatch.setattr(engine_module, "PARTIAL_SAVE_EVERY", 0.1)
    server.token_delay = 0.02
    server.chat.append(LONG_REPLY)
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    seen_partial = []
    async for piece in engine.say(LINE):
        if not seen_partial:  # the reply is ~2 s long; a save every 0.1 s lands during it, even under load
            last = saved_turns(context, engine)[-1]
            if last.speaker is Speaker.CLIENT:
                seen_partial.append((last.speaker, last.complete, last.text))
    assert seen_partial, "no part of the reply was on disk while it streamed"
    speaker, complete, text = seen_partial[0]
    assert speaker is Speaker.CLIENT and complete is False
    assert text and LONG_REPLY.startswith(text)
    turns = saved_turns(context, engine)
    assert [(t.speaker, t.text, t.complete) for t in turns[-2:]] == [
        (Speaker.TRAINEE, LINE, True), (Speaker.CLIENT, LONG_REPLY, True)]
    assert engine.session.turns == turns
    await context.aclose()


async def test_stopping_a_reply_takes_the_partial_back_and_keeps_the_line(server, context_for, monkeypatch):
    monkeypatch.setattr(engine_module, "PARTIAL_SAVE_EVERY", 0.05)
    server.token_delay = 0.02
    server.chat.append(LONG_REPLY)
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    stream = engine.say(LINE)
    started = None
    async for _ in stream:
        started = started or time.monotonic()
        if time.monotonic() - started > 0.3:
            assert saved_turns(context, engine)[-1].complete is False
            break
    await stream.aclose()  # what cancelling the worker does (Esc in the app)
    assert saved_turns(context, engine)[-1].text == LINE and engine.awaiting_reply
    await context.aclose()


async def test_resuming_a_session_with_a_cut_off_reply_goes_on_after_it(server, context_for, monkeypatch):
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    server.chat.append("Yeah, but")
    [piece async for piece in engine.say(LINE)]
    await engine.settle()
    engine.session.turns[-1].complete = False  # as a killed process leaves it
    engine.session.turns[-2].state_after = engine.session.turns[-2].appraisal = None  # its appraisal lost too
    context.store.save(engine.session)
    context.store.close()

    fresh = context_for(server)
    session = fresh.store.load(engine.session.id)
    resumed = SessionEngine.resume(fresh.personas.get(session.persona_id), session, fresh.model("client"),
                                   fresh.model("rater"), fresh.prompts, fresh.store)
    assert not resumed.awaiting_reply
    server.chat.append("Fine.")
    [piece async for piece in resumed.say("Go on.")]
    turns = fresh.store.load(session.id).turns
    assert [(t.text, t.complete) for t in turns[-4:]] == [(LINE, True), ("Yeah, but", False), ("Go on.", True),
                                                          ("Fine.", True)]
    assert server.chat_requests()[-1].body["messages"][-4] == {"role": "assistant", "content": "Yeah, but"}
    await resumed.settle()
    assert all(t.state_after for t in fresh.store.load(session.id).turns if t.speaker is Speaker.TRAINEE)
    await fresh.aclose()
    await context.aclose()
