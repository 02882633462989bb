"""One engine for a room: the fair-turns proxy `rehearse serve` puts in front of each engine, and
a tab's app finding it in its environment (against our scripted server and the tiny model)."""

from __future__ import annotations

import asyncio

import pytest

from simulator.llm import model_files
from simulator.llm.chat import ChatModel
from simulator.llm.embedded import EmbeddedEngine
from simulator.llm.endpoints import open_chat_model
from simulator.llm.shared import SHARED_ENV, TAB_HEADER, FairQueue, SharedEngines, Upstream, queue_url
from simulator.settings import load_settings

MESSAGES = [{"role": "user", "content": "Hello."}]


async def test_tabs_take_turns_and_each_knows_how_many_are_ahead():
    queue = FairQueue()
    served: list[str] = []
    release = {name: asyncio.Event() for name in ("a1", "a2", "a3", "b1")}

    async def request(tab: str, name: str) -> None:
        async with queue.turn(tab):
            served.append(name)
            await release[name].wait()

    tasks = [asyncio.create_task(request("A", "a1"))]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(request("A", name)) for name in ("a2", "a3")]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(request("B", "b1")))
    await asyncio.sleep(0)
    assert served == ["a1"] and queue.ahead_of("B") == 2 and queue.ahead_of("A") == 1 and queue.waiting == 3
    for name in ("a1", "a2", "b1", "a3"):
        release[name].set()
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    assert served == ["a1", "a2", "b1", "a3"]  # B waited for one of A's queued requests, not all of them
    assert queue.ahead_of("B") == 0 and queue.waiting == 0


async def test_a_request_given_up_while_waiting_leaves_the_queue_moving():
    queue = FairQueue()
    first_in = asyncio.Event()
    go = asyncio.Event()

    async def hold() -> None:
        async with queue.turn("A"):
            first_in.set()
            await go.wait()

    holder = asyncio.create_task(hold())
    await first_in.wait()
    impatient = asyncio.create_task(hold())
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    assert queue.waiting == 0
    go.set()
    await holder
    async with asyncio.timeout(1):
        async with queue.turn("B"):
            pass


@pytest.fixture
def shared_scripted(server):
    shared = SharedEngines([Upstream("client", server.base_url, "scripted")], bundled=False)
    shared.start()
    yield shared
    shared.stop()


async def test_streams_pass_through_whole_and_a_waiting_tab_sees_its_place(server, shared_scripted):
    from dataclasses import replace

    from tests.test_embedded_engine import Endpoint

    server.token_delay = 0.02
    server.chat.extend(["one two three four five six seven eight nine ten", "Second reply."])
    url = shared_scripted.url("client")
    endpoint = Endpoint(role="client", base_url=url, api_key="x", model="scripted", backend="embedded",
                        temperature=0.7, max_tokens=64, timeout=30.0)
    first = ChatModel(endpoint, headers={TAB_HEADER: "tab-a"}, queue_url=f"{url.removesuffix('/v1')}/queue?tab=tab-a")
    second = ChatModel(replace(endpoint), headers={TAB_HEADER: "tab-b"},
                       queue_url=f"{url.removesuffix('/v1')}/queue?tab=tab-b")
    pieces_a: list[str] = []
    places: list[int | None] = []

    async def read_a() -> None:
        async for piece in first.stream(MESSAGES):
            pieces_a.append(piece)

    reading = asyncio.create_task(read_a())
    while not pieces_a:
        await asyncio.sleep(0.01)
    replying = asyncio.create_task(second.complete(MESSAGES))
    for _ in range(50):
        places.append(await second.queue_ahead())
        if places[-1]:
            break
        await asyncio.sleep(0.02)
    await reading
    assert "".join(pieces_a) == "one two three four five six seven eight nine ten"
    assert places[-1] == 1  # A's reply was being served while B's waited
    assert await replying == "Second reply."
    assert await second.queue_ahead() == 0
    assert all(TAB_HEADER.lower() not in request.headers for request in server.requests)  # stays here
    await first.aclose()
    await second.aclose()


async def test_a_tab_uses_the_rooms_engine_instead_of_starting_its_own(isolated_env, monkeypatch, tmp_path):
    """The tiny model behind the proxy, as `rehearse serve` runs it: a tab's client model streams
    through it, and the tab starts no engine."""
    engine = EmbeddedEngine(model_files.tiny_model_path(), n_ctx=2048, log_path=tmp_path / "engine.log")
    engine.start()
    shared = SharedEngines([Upstream("client", engine.base_url, engine.model_name, engine.ensure_started)],
                           bundled=False)
    shared.start()
    try:
        for name, value in shared.environment().items():
            monkeypatch.setenv(name, value)
        settings = load_settings({"client": {"max_tokens": 8}})
        model, engines = open_chat_model("client", settings.client, None)
        assert engines == [] and model.endpoint.base_url == shared.url("client")
        assert model.endpoint.backend == "embedded" and model.queue_url == queue_url(shared.url("client"))
        text = "".join([piece async for piece in model.stream(MESSAGES)])
        assert text.strip()
        assert await model.queue_ahead() == 0
        await model.aclose()
        assert SHARED_ENV in dict(shared.environment())
    finally:
        shared.stop()
        engine.close()
