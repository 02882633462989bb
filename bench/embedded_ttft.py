"""Embedded engine, default model: time to the client's first token at each turn of a session,
through the app, and the same prompts sent straight to llama.cpp (llama_cpp.Llama in-process).

Between turns the bench waits for the appraisals to finish, as a trainee's thinking time would.
Run: .venv/bin/python bench/embedded_ttft.py [--turns 10]  (needs `rehearse model install`)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.context import AppContext  # noqa: E402
from simulator.llm.embedded import DEFAULT_N_CTX  # noqa: E402
from simulator.llm.model_files import verified_model  # noqa: E402
from simulator.settings import load_settings  # noqa: E402

LINES = [
    "It sounds like you're exhausted.",
    "What's been the hardest part of this week?",
    "You're carrying your mum, the kids and work, and nobody is asking how you are.",
    "That makes sense. Every suggestion sounds like one more job.",
    "I'm not going to give you a list of tips.",
    "What happens inside you when your sister phones with opinions?",
    "It sounds lonely.",
    "Part of you seems angry that it all falls on you.",
    "And maybe part of you feels bad for being angry.",
    "What would you want me to understand most about this?",
]


async def through_the_app(turns: int) -> tuple[list[float], list[float], list[list[dict]]]:
    folder = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REHEARSE_", "OPENAI_"))}
    context = AppContext(load_settings({"transcripts": folder}, env=env))
    engine = context.begin_session("dana-yes-but")
    sent: list[list[dict]] = []
    build_messages = engine.client_messages

    def recording(correction: str = "") -> list[dict]:
        messages = build_messages(correction)
        sent.append(messages)
        return messages

    engine.client_messages = recording
    await engine.warm_up()
    first_tokens, rates, prompts = [], [], []
    for line in LINES[:turns]:
        await engine.settle()
        sent.clear()
        started = time.perf_counter()
        first = None
        pieces = 0
        async for _ in engine.say(line):
            now = time.perf_counter()
            first = first or now
            pieces += 1
        first_tokens.append(first - started)
        rates.append((pieces - 1) / (now - first) if pieces > 1 else 0.0)
        prompts.append(sent[0])
    await engine.settle()
    await context.aclose()
    return first_tokens, rates, prompts


def straight_to_llama_cpp(prompts: list[list[dict]]) -> list[float]:
    from llama_cpp import Llama

    llama = Llama(model_path=str(verified_model()), n_ctx=DEFAULT_N_CTX, n_threads=os.cpu_count(),
                  n_threads_batch=os.cpu_count(), verbose=False)
    llama.create_chat_completion(messages=prompts[0][:-2], max_tokens=1)  # the app's warm-up: persona and opening
    first_tokens = []
    for messages in prompts:
        started = time.perf_counter()
        for chunk in llama.create_chat_completion(messages=messages, max_tokens=300, temperature=0.8, stream=True):
            if chunk["choices"][0]["delta"].get("content"):
                first_tokens.append(time.perf_counter() - started)
                break
    return first_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    app_first, rates, prompts = asyncio.run(through_the_app(args.turns))
    raw_first = straight_to_llama_cpp(prompts)
    print(f"Embedded engine, {verified_model().name}, {os.cpu_count()} cores")
    print("| turn | app first token s | raw llama.cpp first token s | app / raw | app tokens/s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for turn, (app, raw, rate) in enumerate(zip(app_first, raw_first, rates), start=1):
        print(f"| {turn} | {app:.2f} | {raw:.2f} | {app / raw:.2f} | {rate:.1f} |")
    last = args.turns - 1
    print(f"\nTurn {args.turns}: {app_first[last]:.2f} s (target ≤ 1.5 s: {'met' if app_first[last] <= 1.5 else 'MISSED'}); "
          f"app / raw {app_first[last] / raw_first[last]:.2f} (target ≤ 1.1); "
          f"median tokens/s {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
