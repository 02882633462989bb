"""The terminal app's own costs: cold start to an interactive home screen, the time the UI adds to
the first token on screen, and key presses while a reply streams.

Run: .venv/bin/python bench/ui_bench.py [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLD_START = """
import time, sys
started = time.perf_counter()
from simulator.cli import build_parser
from simulator.context import AppContext
from simulator.settings import load_settings
from simulator.tui.app import RehearseApp

async def ready(pilot):
    await pilot.pause()
    print(time.perf_counter() - started)
    pilot.app.exit()

RehearseApp(AppContext(load_settings({"model": {"base_url": "http://127.0.0.1:9/v1"}}))).run(
    headless=True, size=(100, 30), auto_pilot=ready)
"""


def cold_start(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, REHEARSE_TRANSCRIPTS=folder, XDG_DATA_HOME=folder, XDG_CONFIG_HOME=folder)
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", COLD_START], capture_output=True, text=True, env=env,
                                    cwd=ROOT, timeout=60)
            interpreter = time.perf_counter() - started
            times.append((float(result.stdout.strip().splitlines()[-1]), interpreter))
    return times


def scripted_context(base_url: str, folder: str):
    from simulator.context import AppContext
    from simulator.settings import load_settings

    return AppContext(load_settings({"model": {"base_url": base_url, "api_key": "x"}, "client": {"model": "m"},
                                     "rater": {"model": "m"}, "transcripts": folder}, env={}))


async def first_token_on_screen(runs: int, delay: float) -> list[float]:
    from simulator.tui.app import RehearseApp
    from simulator.tui.widgets.chat_message import ChatMessage
    from tests.support.scripted_server import Fault, ScriptedServer

    added = []
    with ScriptedServer() as server, tempfile.TemporaryDirectory() as folder:
        context = scripted_context(server.base_url, folder)
        app = RehearseApp(context)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            for _ in range(runs):
                server.chat.append(Fault(delay=delay, text="Yeah, but that never works for me."))
                await pilot.press(*"It sounds hard.")
                shown_before = len(app.screen.query(ChatMessage))
                started = time.perf_counter()
                app.simulate_key("enter")  # not pilot.press, which also waits for the screen to settle
                while True:  # until the new reply's first word is drawn, not merely received
                    replies = list(app.screen.query(ChatMessage))
                    if len(replies) >= shown_before + 2 and "Yeah" in str(replies[-1].render()):
                        break
                    await asyncio.sleep(0.001)
                added.append(time.perf_counter() - started - delay)
                await app.workers.wait_for_complete()
                await app.screen.engine.settle()
    return added


async def keys_while_streaming(presses: int) -> list[float]:
    from simulator.tui.app import RehearseApp
    from tests.support.scripted_server import ScriptedServer

    latencies = []
    with ScriptedServer(token_delay=0.02) as server, tempfile.TemporaryDirectory() as folder:
        server.chat.append(" ".join(["word"] * 3000))
        context = scripted_context(server.base_url, folder)
        app = RehearseApp(context)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press(*"Go on.", "enter")
            await asyncio.sleep(0.3)
            box = app.screen.query_one("#reply")
            for index in range(presses):
                started = time.perf_counter()
                app.simulate_key("a")
                while len(box.value) <= index:
                    await asyncio.sleep(0.0005)
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)
            assert app.screen.busy, "the reply finished before the key presses: make it longer"
            app.screen.action_stop_reply()
            await pilot.pause(0.2)
    return latencies


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    starts = cold_start(args.runs)
    added = asyncio.run(first_token_on_screen(args.runs * 2, delay=0.2))
    keys = asyncio.run(keys_while_streaming(20))
    home = [first for first, _ in starts]
    print("| measure | median ms | p95 ms | target |")
    print("| --- | ---: | ---: | --- |")
    print(f"| cold start to an interactive home screen (in the process) | {statistics.median(home) * 1000:.0f} | "
          f"{p95(home) * 1000:.0f} | ≤ 500 ms: {'met' if statistics.median(home) <= 0.5 else 'MISSED'} |")
    total = [whole for _, whole in starts]
    print(f"| the same, whole process including Python's own start and exit | {statistics.median(total) * 1000:.0f} | "
          f"{p95(total) * 1000:.0f} | |")
    print(f"| time the UI adds to the first token on screen (endpoint delay 200 ms) | "
          f"{statistics.median(added) * 1000:.1f} | {p95(added) * 1000:.1f} | ≤ 20 ms: "
          f"{'met' if statistics.median(added) <= 0.020 else 'MISSED'} |")
    print(f"| key press to the reply box while a reply streams | {statistics.median(keys) * 1000:.1f} | "
          f"{p95(keys) * 1000:.1f} | |")


if __name__ == "__main__":
    main()
