"""One engine for a room: the embedded engines `rehearse serve` runs once, shared by every tab.

llama.cpp's Python server answers one request at a time, so many tabs on one engine wait. A small
proxy in front of each engine lets one request through at a time and serves the tabs in turn (a
tab with five rater calls queued does not hold up everyone else's next reply), and tells a tab how
many turns are ahead of it. Each tab names itself in a header; its app finds the proxies' addresses
in the environment the server gives it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import uuid
from collections import OrderedDict, deque
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientError, ClientSession, ClientTimeout, web

SHARED_ENV = "REHEARSE_SHARED_ENGINES"
"""JSON: {"engines": {role: {"url": base URL, "model": name}}, "bundled": bool}, set by `rehearse serve`."""
TAB_HEADER = "X-Rehearse-Tab"
TAB_ID = uuid.uuid4().hex
"""This process's name in the queues: one app process is one browser tab."""
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


class FairQueue:
    """One request at a time; waiting tabs take turns, one request each per round."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    def ahead_of(self, tab: str) -> int:
        """Requests that go before this tab's next one: the one being served and one per tab ahead."""
        if tab not in self._waiting:
            return 0
        return int(self._busy) + list(self._waiting).index(tab)

    @property
    def waiting(self) -> int:
        return sum(len(futures) for futures in self._waiting.values())

    @asynccontextmanager
    async def turn(self, tab: str):
        if self._busy or self._waiting:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.setdefault(tab, deque()).append(future)
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._next()  # given the turn just as it gave up: pass it on
                else:
                    self._forget(tab, future)
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._next()

    def _forget(self, tab: str, future: asyncio.Future[None]) -> None:
        futures = self._waiting.get(tab)
        if futures and future in futures:
            futures.remove(future)
            if not futures:
                del self._waiting[tab]

    def _next(self) -> None:
        while self._waiting:
            tab, futures = next(iter(self._waiting.items()))
            future = futures.popleft()
            if futures:
                self._waiting.move_to_end(tab)  # its next request waits behind the other tabs
            else:
                del self._waiting[tab]
            if not future.done():
                future.set_result(None)
                return  # the turn passes on; still busy
        self._busy = False


@dataclass
class Upstream:
    role: str
    base_url: str
    """The engine's own API root, e.g. http://127.0.0.1:PORT/v1."""
    model: str
    """The name the engine serves its model under."""
    before_request: object = None
    """An async callable that starts the engine and waits until it answers (EmbeddedEngine.ensure_started)."""


class SharedEngines:
    """The proxies, in a thread of their own with their own event loop, on one loopback port:
    /<role>/v1/... goes to that role's engine, /<role>/queue tells a tab its place."""

    def __init__(self, upstreams: list[Upstream], bundled: bool) -> None:
        self.upstreams = {upstream.role: upstream for upstream in upstreams}
        self.queues = {role: FairQueue() for role in self.upstreams}
        self.bundled = bundled
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.port = self._socket.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def url(self, role: str) -> str:
        return f"http://127.0.0.1:{self.port}/{role}/v1"

    def environment(self) -> dict[str, str]:
        """What each tab's app needs to use these engines instead of starting its own."""
        engines = {role: {"url": self.url(role), "model": upstream.model} for role, upstream in self.upstreams.items()}
        return {SHARED_ENV: json.dumps({"engines": engines, "bundled": self.bundled})}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="shared-engines", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def submit(self, coroutine):
        """Run a coroutine on the proxies' event loop (a concurrent.futures.Future of its result)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)

    async def _close(self) -> None:
        await self._runner.cleanup()
        await self._client.close()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self) -> None:
        self._client = ClientSession(timeout=ClientTimeout(total=None, sock_connect=10), auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/{role}/queue", self._queue)
        app.router.add_route("*", "/{role}/v1/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()

    async def _queue(self, request: web.Request) -> web.Response:
        queue = self.queues.get(request.match_info["role"])
        if queue is None:
            raise web.HTTPNotFound()
        tab = request.query.get("tab", "")
        return web.json_response({"ahead": queue.ahead_of(tab), "waiting": queue.waiting})

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        role = request.match_info["role"]
        upstream = self.upstreams.get(role)
        if upstream is None:
            raise web.HTTPNotFound()
        body = await request.read()
        tab = request.headers.get(TAB_HEADER, "anonymous")
        headers = {key: value for key, value in request.headers.items()
                   if key.lower() not in HOP_HEADERS and key.lower() != TAB_HEADER.lower()}
        target = f"{upstream.base_url}/{request.match_info['tail']}"
        if request.query_string:
            target += f"?{request.query_string}"
        async with self.queues[role].turn(tab):
            if upstream.before_request is not None:
                await upstream.before_request()
            async with self._client.request(request.method, target, data=body, headers=headers) as answer:
                response = web.StreamResponse(status=answer.status, headers={
                    key: value for key, value in answer.headers.items() if key.lower() not in HOP_HEADERS})
                await response.prepare(request)
                try:
                    async for chunk in answer.content.iter_any():
                        await response.write(chunk)
                    await response.write_eof()
                except ConnectionResetError:
                    pass  # the tab stopped reading (Esc, a reply cut short): leaving stops the engine's work
                return response


@dataclass(frozen=True)
class SharedEngine:
    """What a tab's app reads from its environment: where a role's shared engine is."""
    base_url: str
    model: str
    bundled: bool


def shared_engine(role: str) -> SharedEngine | None:
    """The shared engine for this role, when this app runs as a tab of `rehearse serve`."""
    raw = os.environ.get(SHARED_ENV)
    if not raw:
        return None
    try:
        described = json.loads(raw)
        engine = described["engines"].get(role)
        if not engine:
            return None
        return SharedEngine(str(engine["url"]), str(engine["model"]), bool(described["bundled"]))
    except (ValueError, KeyError, AttributeError, TypeError):
        return None


def queue_url(base_url: str) -> str | None:
    """The queue endpoint beside a shared engine's API root, for "2 ahead of you"."""
    if not base_url.endswith("/v1"):
        return None
    return f"{base_url.removesuffix('/v1')}/queue?tab={TAB_ID}"


async def requests_ahead(url: str) -> int | None:
    """Ask a shared engine's queue how many requests go before this tab's; None if it cannot say."""
    try:
        async with ClientSession(timeout=ClientTimeout(total=2)) as http:
            async with http.get(url) as answer:
                return int((await answer.json())["ahead"])
    except (OSError, asyncio.TimeoutError, ValueError, KeyError, TypeError, ClientError):
        return None
