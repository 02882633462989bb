"""Time the app adds to an endpoint's own time to first token.

The scripted server waits a fixed delay before its first byte. We time the first streamed piece
three ways on the same server: a bare HTTP request (the endpoint's own time), the ChatModel
(openai client), and a whole SessionEngine turn (prompt rendering, saving the turn, streaming).
Run: .venv/bin/python bench/ttft_overhead.py [--runs N] [--delay SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.context import AppContext  # noqa: E402
from simulator.settings import load_settings  # noqa: E402
from tests.support.scripted_server import Fault, ScriptedServer  # noqa: E402

REPLY = "Yeah, but I have tried that already and it did not help at all."


def raw_first_byte(base_url: str) -> float:
    url = urlparse(base_url)
    body = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(url.hostname, url.port)
    connection.request("POST", f"{url.path}/chat/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    while True:
        line = response.fp.readline()
        if line.startswith(b"data: {"):
            break
    elapsed = time.perf_counter() - started
    response.read()
    connection.close()
    return elapsed


async def model_first_piece(context: AppContext) -> float:
    model = context.model("client")
    started = time.perf_counter()
    stream = model.stream([{"role": "user", "content": "hi"}])
    await anext(stream)
    elapsed = time.perf_counter() - started
    async for _ in stream:
        pass
    return elapsed


async def engine_first_piece(engine) -> float:
    started = time.perf_counter()
    stream = engine.say("That sounds exhausting.")
    await anext(stream)
    elapsed = time.perf_counter() - started
    async for _ in stream:
        pass
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.2, help="the endpoint's own time to first token")
    args = parser.parse_args()
    with ScriptedServer() as server, tempfile.TemporaryDirectory() as folder:
        context = AppContext(load_settings({"model": {"base_url": server.base_url, "api_key": "x"},
                                            "client": {"model": "m"}, "rater": {"model": "m"},
                                            "transcripts": folder}, env={}))
        engine = context.begin_session("dana-yes-but")
        results: dict[str, list[float]] = {"raw HTTP": [], "ChatModel": [], "SessionEngine turn": []}
        await model_first_piece(context)  # warm the connection pool and imports
        for _ in range(args.runs):
            for name in results:
                server.chat.append(Fault(delay=args.delay, text=REPLY))
                if name == "raw HTTP":
                    results[name].append(await asyncio.to_thread(raw_first_byte, server.base_url))
                elif name == "ChatModel":
                    results[name].append(await model_first_piece(context))
                else:
                    results[name].append(await engine_first_piece(engine))
        await context.aclose()
    baseline = statistics.median(results["raw HTTP"])
    print(f"Time to first token, endpoint delay {args.delay * 1000:.0f} ms, {args.runs} runs each")
    print("| path | median ms | p95 ms | added vs raw (median) ms | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, values in results.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        added = statistics.median(values) - baseline
        target = "" if name == "raw HTTP" else ("≤ 20 ms " + ("met" if added <= 0.020 else "MISSED"))
        print(f"| {name} | {statistics.median(values) * 1000:.1f} | {p95 * 1000:.1f} | {added * 1000:+.1f} | {target} |")


if __name__ == "__main__":
    asyncio.run(main())
