"""A workshop room under load: N trainees' sessions at once, each saying its lines as a tab would.

Two set-ups, the way `rehearse serve` runs them:
- the scripted server (our OpenAI-compatible test server; a first byte after a fixed delay, then
  the reply), which every session calls directly, as a room pointed at vLLM or Ollama does. Two
  measures of the app's added time: the sessions' p95 less the p95 of N bare HTTP requests sent at
  once (which includes the server slowing under the tabs' other traffic), and the app's own time:
  per reply, the time from the line to its first piece less the time the server took from reading
  that request to sending its first piece (the server stamps both);
- the embedded engine (the bundled model) behind the room's shared-engine proxy: one engine per
  role for all N sessions, tabs served in turn.

Each session is a SessionEngine in a process of its own (as each tab's app is), with its own
transcripts folder and its own tab name in the queue; all are open before the first line. Lost lines: a trainee line missing from the saved session, or left without a whole reply.
Run: .venv/bin/python bench/room_load.py [--scripted 1,4,8,16] [--embedded 1,2,4] [--lines 2] [--prompt-cache]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.context import AppContext  # noqa: E402
from simulator.llm.endpoints import room_engines  # noqa: E402
from simulator.llm.shared import TAB_HEADER  # noqa: E402
from simulator.settings import load_settings  # noqa: E402
from simulator.storage.sessions import SessionStore  # noqa: E402
from tests.support.scripted_server import Fault, ScriptedServer  # noqa: E402

LINES = ["It sounds like you're carrying all of this on your own.",
         "And nobody asks how you are holding up.",
         "That must be exhausting, and lonely too."]
REPLY = "Yeah, but I have tried that already and it did not help at all, so I do not know."
SCRIPTED_DELAY = 0.2


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def raw_first_byte(base_url: str) -> float:
    url = urlparse(base_url)
    body = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.request("POST", f"{url.path}/chat/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    while not response.fp.readline().startswith(b"data: {"):
        pass
    elapsed = time.perf_counter() - started
    response.read()
    connection.close()
    return elapsed


async def one_session(number: int, settings: dict, folder: Path, lines: int, barrier) -> dict:
    """A tab's session: its lines in turn, each reply's first-token time, and what was saved."""
    context = AppContext(load_settings({**settings, "transcripts": str(folder / f"tab-{number}")},
                                       env=dict(os.environ)))
    firsts, errors, stamps = [], [], []
    engine = None
    try:
        for role in ("client", "rater"):
            context.model(role).headers[TAB_HEADER] = f"bench-tab-{number}"  # one tab each in the queues
        engine = context.begin_session("dana-yes-but")
        # What an open tab has already done before its trainee's first line: imports, the HTTP
        # clients, the prompt templates compiled.
        for role in ("client", "rater"):
            await context.model(role).complete([{"role": "user", "content": "warm-up"}], max_tokens=1)
        engine.client_messages(upcoming=True)
        await engine.warm_up()  # the app has the engine read the persona as the session opens
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    await asyncio.to_thread(barrier.wait)  # every tab is open before the first line
    try:
        for line in LINES[:lines] if engine is not None else []:
            started, wall_started = time.perf_counter(), time.time()
            first = None
            async for _ in engine.say(line):
                if first is None:
                    first = time.perf_counter() - started
                    stamps.append((wall_started, time.time()))
            if first is not None:
                firsts.append(first)
            await engine.settle()  # the appraisal is in before the next line, as in the app
    except Exception as error:  # a load bench counts failures instead of stopping at the first
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        await context.aclose()
    lost = lines
    if engine is not None:
        saved = SessionStore(folder / f"tab-{number}").load(engine.session.id).turns
        said = [turn for turn in saved if turn.speaker.value == "trainee"]
        answered = sum(1 for index, turn in enumerate(saved) if turn.speaker.value == "trainee"
                       and index + 1 < len(saved) and saved[index + 1].complete and saved[index + 1].text)
        lost = lines - min(len(said), answered)
    return {"firsts": firsts, "errors": errors, "lost": lost, "stamps": stamps, "tab": f"bench-tab-{number}"}


def tab_process(number: int, settings: dict, folder: str, lines: int, barrier, results, environment: dict) -> None:
    """One browser tab: a process of its own, as `rehearse serve` runs each tab's app."""
    os.environ.update(environment)
    results.put(asyncio.run(one_session(number, settings, Path(folder), lines, barrier)))


async def load(n: int, settings: dict, lines: int) -> dict:
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(n + 1), spawn.Queue()
    with tempfile.TemporaryDirectory() as folder:
        tabs = [spawn.Process(target=tab_process, args=(i, settings, folder, lines, barrier, results,
                                                        dict(os.environ))) for i in range(n)]
        for tab in tabs:
            tab.start()
        await asyncio.to_thread(barrier.wait)
        started = time.perf_counter()
        collected = [await asyncio.to_thread(results.get) for _ in tabs]
        wall = time.perf_counter() - started
        for tab in tabs:
            tab.join()
    firsts = [value for result in collected for value in result["firsts"]]
    return {"n": n, "firsts": firsts, "tabs": collected, "errors": sum(len(r["errors"]) for r in collected),
            "lost": sum(r["lost"] for r in collected), "wall": wall,
            "first_error": next((r["errors"][0] for r in collected if r["errors"]), "")}


async def scripted_rows(counts: list[int], lines: int) -> list[str]:
    rows = []
    with ScriptedServer() as server:
        server.default_reply = Fault(delay=SCRIPTED_DELAY, text=REPLY)  # every chat reply, warm-ups too
        settings = {"model": {"base_url": server.base_url, "api_key": "x"}, "client": {"model": "m"},
                    "rater": {"model": "m"}}
        await load(1, settings, 1)  # imports and connection pools warm
        for n in counts:
            server.requests.clear()
            measured = await load(n, settings, lines)
            raw = []
            for _ in range(lines):
                raw += await asyncio.gather(*(asyncio.to_thread(raw_first_byte, server.base_url) for _ in range(n)))
            added = percentile(measured["firsts"], 0.95) - percentile(raw, 0.95) if measured["firsts"] else float("nan")
            own = app_own_times(measured["tabs"], server.requests)
            rows.append(row("scripted server, direct", measured, f"{added * 1000:+.0f}",
                            f"{percentile(own, 0.95) * 1000:.0f}" if own else "–"))
    return rows


def app_own_times(tabs: list[dict], requests: list) -> list[float]:
    """Per reply: the time from the line to its first piece, less the time the server itself took
    from reading the request to sending that piece: what the app adds, on any load."""
    own = []
    for tab in tabs:
        streams = sorted((r for r in requests if r.streamed and r.headers.get(TAB_HEADER.lower()) == tab["tab"]
                          and r.first_byte_at), key=lambda r: r.received_at)
        for said, first in tab["stamps"]:
            request = next((r for r in streams if r.received_at >= said), None)
            if request is not None:
                own.append((first - said) - (request.first_byte_at - request.received_at))
    return own


async def embedded_rows(counts: list[int], lines: int, prompt_cache: bool) -> list[str]:
    settings = load_settings({}, env={})
    shared, engines = room_engines(settings, prompt_cache=prompt_cache)
    if shared is None:
        return ["| embedded engine | – | – | – | – | – | – | – | the bundled model is not installed |"]
    for engine in engines:
        engine.start()
    shared.start()
    os.environ.update(shared.environment())
    rows = []
    try:
        await load(1, {}, 1)  # the engines' first prompts
        for n in counts:
            label = "prompt cache" if prompt_cache else "no prompt cache"
            rows.append(row(f"embedded engine, shared ({', '.join(e.role for e in engines)}; {label})",
                            await load(n, {}, lines), ""))
    finally:
        shared.stop()
        for engine in engines:
            engine.close()
    return rows


def row(setup: str, measured: dict, added: str, own: str = "–") -> str:
    firsts = measured["firsts"]
    p50 = f"{statistics.median(firsts) * 1000:.0f}" if firsts else "–"
    p95 = f"{percentile(firsts, 0.95) * 1000:.0f}" if firsts else "–"
    note = measured["first_error"][:80]
    return (f"| {setup} | {measured['n']} | {p50} | {p95} | {added or '–'} | {own} | {measured['errors']} | "
            f"{measured['lost']} | {measured['wall']:.1f} s{' · ' + note if note else ''} |")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripted", default="1,4,8,16", help="session counts against the scripted server")
    parser.add_argument("--embedded", default="1,2,4", help="session counts on the shared embedded engine ('' skips)")
    parser.add_argument("--lines", type=int, default=2, help="lines each session says (at most 3)")
    parser.add_argument("--prompt-cache", action="store_true",
                        help="shared chat engines with llama.cpp's RAM prompt cache (off in the app)")
    args = parser.parse_args()
    counts = [int(value) for value in args.scripted.split(",") if value]
    embedded = [int(value) for value in args.embedded.split(",") if value]
    print(f"Each session says {args.lines} lines to Dana; first-token times are per reply (ms); "
          f"scripted first byte after {SCRIPTED_DELAY * 1000:.0f} ms; {os.cpu_count()} cores")
    print("| set-up | sessions | first token p50 | p95 | p95 less bare requests' p95 | app's own p95 | errors | "
          "lost lines | wall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for line in await scripted_rows(counts, args.lines):
        print(line, flush=True)
    if embedded:
        for line in await embedded_rows(embedded, args.lines, args.prompt_cache):
            print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
