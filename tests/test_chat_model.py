"""The model client against our scripted OpenAI-compatible server, through the real openai package."""

from __future__ import annotations

import pytest

from pydantic import Field

from simulator.errors import ModelError
from simulator.llm.chat import ChatModel, Endpoint
from simulator.llm.structured import StrictAnswer
from tests.support.scripted_server import Fault


class Rating(StrictAnswer):
    score: int = Field(ge=0, le=4)


SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 4}},
    "required": ["score"],
    "additionalProperties": False,
}


def model_for(server, model: str | None = None, timeout: float = 10.0) -> ChatModel:
    return ChatModel(Endpoint(role="client", base_url=server.base_url, api_key="test-key", model=model,
                              backend="endpoint", temperature=0.7, max_tokens=50, timeout=timeout))


async def test_stream_yields_the_reply_piece_by_piece(server):
    server.chat.append("Yes, but that never works for me.")
    model = model_for(server)
    pieces = [piece async for piece in model.stream([{"role": "user", "content": "Try a walk?"}])]
    await model.aclose()
    assert len(pieces) > 1
    assert "".join(pieces) == "Yes, but that never works for me."
    request = server.chat_requests()[0]
    assert request.streamed
    assert request.body["messages"] == [{"role": "user", "content": "Try a walk?"}]
    assert request.body["temperature"] == 0.7
    assert request.headers["authorization"] == "Bearer test-key"


async def test_the_first_listed_model_is_used_when_none_is_set(server):
    model = model_for(server)
    assert await model.model_name() == "scripted-model"
    named = model_for(server, model="my-model")
    assert await named.model_name() == "my-model"
    await model.aclose()
    await named.aclose()


async def test_structured_answers_send_the_schema_and_are_validated(server):
    server.structured.append({"score": 3})
    model = model_for(server)
    answer = await model.complete_json([{"role": "user", "content": "rate"}], Rating, name="rating")
    await model.aclose()
    assert answer == Rating(score=3)
    response_format = server.structured_requests()[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "rating"
    assert response_format["json_schema"]["schema"] == SCHEMA


async def test_an_invalid_answer_is_repaired_once_with_the_error_shown(server):
    server.structured.extend([{"score": 9}, "Here you go: {\"score\": 2}"])
    model = model_for(server)
    answer = await model.complete_json([{"role": "user", "content": "rate"}], Rating, name="rating")
    await model.aclose()
    assert answer == Rating(score=2)
    repair = server.structured_requests()[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"score": 9}'}
    assert "$.score: Input should be less than or equal to 4" in repair[-1]["content"]


async def test_two_invalid_answers_fail_clearly(server):
    server.structured.extend(["not json at all", {"score": "high"}])
    model = model_for(server)
    with pytest.raises(ModelError, match="invalid rating twice"):
        await model.complete_json([{"role": "user", "content": "rate"}], Rating, name="rating")
    await model.aclose()
    assert len(server.structured_requests()) == 2


async def test_an_unreachable_server_names_the_url(server):
    url = server.base_url
    server.stop()
    model = model_for(server, model="m")
    with pytest.raises(ModelError) as caught:
        async for _ in model.stream([{"role": "user", "content": "hi"}]):
            pass
    await model.aclose()
    assert f"server not reachable: client model at {url}" in str(caught.value)
    assert "REHEARSE_BASE_URL" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "message"),
    [(401, "rejected the API key"), (404, "does not know model 'm'")],
)
async def test_status_errors_say_what_to_do(server, status, message):
    server.chat.append(Fault(status=status))
    model = model_for(server, model="m")
    with pytest.raises(ModelError, match=message):
        async for _ in model.stream([{"role": "user", "content": "hi"}]):
            pass
    await model.aclose()


@pytest.mark.parametrize("backend", ["embedded", "endpoint"])
async def test_a_personas_sampling_goes_with_its_replies(server, backend):
    from dataclasses import replace

    from simulator.domain import Sampling
    from simulator.llm.dry import DEFAULT_DRY_MULTIPLIER

    model = model_for(server)
    model = ChatModel(replace(model.endpoint, backend=backend))
    server.chat.append("Fine.")
    sampling = Sampling(temperature=0.9, top_p=0.9, presence_penalty=0.4, repeat_penalty=1.15)
    assert "".join([piece async for piece in model.stream([{"role": "user", "content": "Hi"}], sampling)]) == "Fine."
    body = server.chat_requests()[-1].body
    assert (body["temperature"], body["top_p"], body["presence_penalty"]) == (0.9, 0.9, 0.4)
    assert "frequency_penalty" not in body
    # llama.cpp's own penalty goes only to the embedded engine: another server may refuse it.
    assert body.get("repeat_penalty") == (1.15 if backend == "embedded" else None)
    # So does the DRY penalty, at its default when the persona sets none, and not at all when 0.
    assert body.get("dry_multiplier") == (DEFAULT_DRY_MULTIPLIER if backend == "embedded" else None)
    server.chat.append("Fine.")
    assert [piece async for piece in model.stream([{"role": "user", "content": "Hi"}], Sampling(dry_multiplier=0))]
    assert "dry_multiplier" not in server.chat_requests()[-1].body
    await model.aclose()


@pytest.mark.parametrize("prefill", [True, False])
async def test_an_opening_is_given_first_and_handed_to_an_endpoint_that_carries_replies_on(server, prefill):
    from dataclasses import replace

    model = ChatModel(replace(model_for(server).endpoint, prefill=prefill))
    server.chat.append(" but that never works for me.")
    pieces = [piece async for piece in model.stream([{"role": "user", "content": "Try a walk?"}], opening="Yeah,")]
    await model.aclose()
    body = server.chat_requests()[-1].body
    if prefill:
        assert pieces[0] == "Yeah,"
        assert "".join(pieces) == "Yeah, but that never works for me."
        assert body["messages"][-1] == {"role": "assistant", "content": "Yeah,"}
        assert (body["continue_final_message"], body["add_generation_prompt"]) == (True, False)
    else:  # a server that may not carry a reply on is asked as before
        assert "".join(pieces) == " but that never works for me."
        assert body["messages"] == [{"role": "user", "content": "Try a walk?"}]
        assert "continue_final_message" not in body


async def test_an_opening_already_shown_does_not_hide_why_the_server_failed(server):
    from dataclasses import replace

    model = ChatModel(replace(model_for(server).endpoint, prefill=True, timeout=2.0))
    server.chat.append(Fault(status=404))
    pieces = []
    with pytest.raises(ModelError) as raised:
        async for piece in model.stream([{"role": "user", "content": "Hi"}], opening="Right."):
            pieces.append(piece)
    await model.aclose()
    assert pieces == ["Right."]
    assert "cut off" not in raised.value.what
