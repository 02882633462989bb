"""Each fault of a model endpoint ends in its documented behaviour, and the trainee's line survives."""

from __future__ import annotations

import time

import pytest

from simulator.context import AppContext
from simulator.errors import ModelError
from simulator.llm.chat import BACKOFF_CAP, backoff_delay
from simulator.settings import load_settings
from tests.support.scripted_server import Fault

LINE = "It sounds like you're exhausted."


def context_with_timeout(server, timeout: float) -> AppContext:
    return AppContext(load_settings({"model": {"base_url": server.base_url, "timeout": timeout}}))


async def say(engine, text: str = LINE) -> str:
    return "".join([piece async for piece in engine.say(text)])


async def assert_line_kept_and_retry_works(context, engine, server) -> None:
    saved = context.store.load(engine.session.id)
    assert saved.turns[-1].text == LINE and engine.awaiting_reply
    server.chat.append("...Yeah. I am.")
    assert await say(engine) == "...Yeah. I am."
    turns = context.store.load(engine.session.id).turns
    assert [t.text for t in turns[-2:]] == [LINE, "...Yeah. I am."]


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault(delay=2.0, text="too late"), "did not answer within 0.5 s"),
        (Fault(status=500), "failed with HTTP 500"),
        (Fault(status=401), "rejected the API key"),
        (Fault(drop_after=3, text="Yeah, but you don't know what it's like"), "reply was cut off after"),
        (Fault(drop_after=2, delay=0, text="I just... " + "x " * 5), "reply was cut off after"),
    ],
    ids=["timeout", "500", "wrong-key", "dropped-stream", "dropped-early"],
)
async def test_a_failed_reply_keeps_the_line_for_a_retry(isolated_env, server, fault, message):
    context = context_with_timeout(server, 0.5)
    engine = context.begin_session("dana-yes-but")
    server.chat.extend([fault] * (3 if fault.status == 500 else 1))
    with pytest.raises(ModelError, match=message):
        await say(engine)
    await assert_line_kept_and_retry_works(context, engine, server)
    await context.aclose()


async def test_a_model_that_stalls_mid_reply_is_cut_off_by_the_read_timeout(isolated_env):
    from tests.support.scripted_server import ScriptedServer

    with ScriptedServer(token_delay=3.0) as slow:
        context = context_with_timeout(slow, 0.5)
        engine = context.begin_session("dana-yes-but")
        slow.chat.append("Never finishes this sentence")
        started = time.monotonic()
        with pytest.raises(ModelError, match="cut off after"):
            await say(engine)
        assert time.monotonic() - started < 2.5
        assert context.store.load(engine.session.id).turns[-1].text == LINE
        await context.aclose()


async def test_429_is_retried_with_backoff_then_succeeds(isolated_env, server):
    context = context_with_timeout(server, 5)
    engine = context.begin_session("dana-yes-but")
    server.chat.extend([Fault(status=429, retry_after=0.2), Fault(status=503), "Fine. Whatever."])
    started = time.monotonic()
    assert await say(engine) == "Fine. Whatever."
    assert time.monotonic() - started >= 0.2
    assert len(server.chat_requests()) == 3
    await context.aclose()


async def test_retries_are_bounded(isolated_env, server):
    context = context_with_timeout(server, 5)
    engine = context.begin_session("dana-yes-but")
    server.chat.extend([Fault(status=429, retry_after=0)] * 5)
    with pytest.raises(ModelError, match="rate limiting us — wait a minute"):
        await say(engine)
    assert len(server.chat_requests()) == 3
    await context.aclose()


def test_backoff_grows_is_jittered_and_capped():
    assert backoff_delay(0, jitter=1.0) == 0.5
    assert backoff_delay(1, jitter=1.0) == 1.0
    assert backoff_delay(1, jitter=0.0) == 0.5
    assert backoff_delay(10, jitter=1.0) == BACKOFF_CAP
    assert backoff_delay(0, retry_after=600) == BACKOFF_CAP
    assert backoff_delay(0, retry_after=0.2) == 0.2


async def test_invalid_json_then_valid_json_gives_the_form(isolated_env, server):
    context = context_with_timeout(server, 5)
    engine = context.begin_session("dana-yes-but")
    await say(engine)
    valid = {
        "empathy": {"warmth": 4, "trust": 3, "respect": 4, "listening": 4, "understood": 3},
        "helpfulness": 3, "session": {"relationship": 9, "goals": 8, "approach": 8, "overall": 8},
        "comment": "Better than I expected.", "low_score_quotes": [],
    }
    server.answers_for("client_form").extend(["{\"empathy\": {\"warmth\": ", valid])
    form = await engine.end()
    assert form.empathy_total == 18
    assert "holds no JSON value" in server.structured_requests("client_form")[1].all_text
    await context.aclose()


async def test_a_form_that_stays_invalid_fails_without_losing_the_session(isolated_env, server):
    context = context_with_timeout(server, 5)
    engine = context.begin_session("dana-yes-but")
    await say(engine)
    server.answers_for("client_form").extend(["no", "still no"])
    with pytest.raises(ModelError, match="invalid client_form twice"):
        await engine.end()
    saved = context.store.load(engine.session.id)
    assert [t.text for t in saved.turns][-2] == LINE
    assert saved.form is None and not saved.ended
    await context.aclose()


async def test_a_backend_that_refuses_response_format_gets_the_schema_in_the_prompt(isolated_env, server):
    context = context_with_timeout(server, 5)
    engine = context.begin_session("dana-yes-but")
    await say(engine)
    server.answers_for("client_form").append(Fault(status=400))
    server.chat.append(
        '{"empathy": {"warmth": 1, "trust": 1, "respect": 1, "listening": 1, "understood": 1}, "helpfulness": 0, '
        '"session": {"relationship": 1, "goals": 1, "approach": 1, "overall": 1}, "comment": "No.", '
        '"low_score_quotes": []}'
    )
    form = await engine.end()
    assert form.empathy_total == 5
    fallback = server.chat_requests()[-1]
    assert "response_format" not in fallback.body and "JSON Schema" in fallback.all_text
    await context.aclose()


NOT_JSON_EVENT = b'data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":[]}\n\ndata: [DONE]\n\n'


@pytest.mark.parametrize(
    ("fault", "streamed", "answered"),
    [
        (Fault(raw=b"<html>Welcome to nginx</html>", raw_type="text/html"), True,
         "answered, but not with a stream of chat completions"),
        (Fault(raw=NOT_JSON_EVENT), True, "answered, but with no reply in its stream"),
        (Fault(raw=b"<html>Welcome to nginx</html>", raw_type="text/html"), False,
         "answered, but not with a chat completion"),
        (Fault(raw=b"{not json", raw_type="application/json"), False,
         "answered with something that is not an OpenAI-style JSON answer"),
        (Fault(raw=b'{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}',
               raw_type="application/json"), False, "answered, but with no reply in it (no choices)"),
    ],
    ids=["html-stream", "empty-choices-stream", "html", "not-json", "empty-choices"],
)
async def test_a_server_that_is_not_quite_openai_is_named_as_such(isolated_env, server, fault, streamed, answered):
    context = context_with_timeout(server, 2)
    model = context.model("client")
    server.chat.append(fault)
    with pytest.raises(ModelError) as caught:
        if streamed:
            [piece async for piece in model.stream([{"role": "user", "content": "hi"}])]
        else:
            await model.complete([{"role": "user", "content": "hi"}])
    assert str(caught.value) == (f"client model at {server.base_url} {answered} — check that the base URL is the "
                                 "server's OpenAI-compatible one, usually ending in /v1")
    await context.aclose()
