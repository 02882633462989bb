"""Embedded engine, default model: time to the client's first token at each turn of a session,
through the app, and the same prompts sent straight to llama.cpp (llama_cpp.Llama in-process).

Between turns the bench waits for the appraisals and the engine's reading ahead to finish, as a
trainee's thinking time would; the raw side is sent the same read-ahead prompts in the same order.
A reply that starts from one of the persona's openers shows the opener at once; the time measured
is to the model's own first token after it, and the raw side carries on from the same opener.
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


async def through_the_app(turns: int) -> tuple[list[float], list[float], list[list[tuple[str, list[dict]]]]]:
    """First-token times and token rates of each turn, and per turn the prompts the engine was sent:
    ("ahead", …) read in the thinking time before the line, then ("turn", …) for its reply, its
    opener (if any) as the last, assistant, message."""
    folder = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REHEARSE_", "OPENAI_"))}
    context = AppContext(load_settings({"transcripts": folder}, env=env))
    engine = context.begin_session("dana-yes-but")
    sent: list[tuple[str, list[dict]]] = []
    build_messages = engine.client_messages

    def recording(correction: str = "", *, upcoming: bool = False) -> list[dict]:
        messages = build_messages(correction, upcoming=upcoming)
        sent.append(("ahead" if upcoming else "turn", messages))
        return messages

    engine.client_messages = recording
    await engine.warm_up()
    first_tokens, rates, prompts = [], [], []
    for line in LINES[:turns]:
        await engine.settle()  # the trainee's thinking time: appraisals, then the engine reads ahead
        ahead = [item for item in sent if item[0] == "ahead"]
        sent.clear()
        started = time.perf_counter()
        first = None
        pieces = 0
        opener_shown = False
        async for piece in engine.say(line):
            now = time.perf_counter()
            if not opener_shown and first is None and engine.last_opening and piece == engine.last_opening:
                opener_shown = True  # on screen at once; the model's own words come next
                continue
            first = first or now
            pieces += 1
        ended = time.perf_counter()
        first_tokens.append((first or ended) - started)  # the opener alone: the model's first token ended it
        rates.append((pieces - 1) / (now - first) if first and pieces > 1 else 0.0)
        kind, messages = next(item for item in sent if item[0] == "turn")
        if engine.last_opening:
            messages = [*messages, {"role": "assistant", "content": engine.last_opening}]
        prompts.append([*ahead[-1:], (kind, messages)])
    await engine.settle()
    await context.aclose()
    return first_tokens, rates, prompts


def straight_to_llama_cpp(prompts: list[list[tuple[str, list[dict]]]]) -> list[float]:
    """The same prompts in the same order, the reading ahead included, straight to llama.cpp."""
    from llama_cpp import Llama

    from simulator.llm.embedded import REQUESTED_CONTINUATION, _continue_final_message

    _continue_final_message()  # the engine's own template patch: an opener is carried on, not answered
    llama = Llama(model_path=str(verified_model()), n_ctx=DEFAULT_N_CTX, n_threads=os.cpu_count(),
                  n_threads_batch=os.cpu_count(), verbose=False)
    first_tokens = []
    for turn in prompts:
        for kind, messages in turn:
            if kind == "ahead":
                llama.create_chat_completion(messages=messages, max_tokens=1)
                continue
            REQUESTED_CONTINUATION.set(messages[-1]["role"] == "assistant")
            started = time.perf_counter()
            for chunk in llama.create_chat_completion(messages=messages, max_tokens=300, temperature=0.8, stream=True):
                if chunk["choices"][0]["delta"].get("content"):
                    first_tokens.append(time.perf_counter() - started)
                    break
            else:
                first_tokens.append(time.perf_counter() - started)  # the model ended the reply at once
            REQUESTED_CONTINUATION.set(False)
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
    median, slowest = statistics.median(app_first), max(app_first)
    ratio = statistics.median(a / r for a, r in zip(app_first, raw_first))
    print(f"\nFirst token over turns 1-{args.turns}: median {median:.2f} s (target ≤ 1.0: {'met' if median <= 1.0 else 'MISSED'}), "
          f"slowest {slowest:.2f} s (target ≤ 1.5: {'met' if slowest <= 1.5 else 'MISSED'}); "
          f"app / raw median {ratio:.2f} (target ≤ 1.1); median tokens/s {statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
