"""How long one line's whole appraisal takes on the bundled model, 2 cores, judge 'heads'.

The appraisal of each line, in the order a session runs it: the embedding server embeds the line
(and, once a session, the persona's hidden feelings) and the shipped heads judge it — the state
moves and the coach card shows here — then the inner reaction fills in the card: chosen by the
judgement (`[rater] inner_voice = "chosen"`, the default on the bundled model) or written by the
rater model (`--inner-voice model`). Timed through the app's own Appraiser and openai client, with the client idle (the
appraisal runs in the trainee's thinking time).

Run: .venv/bin/python bench/appraisal_speed.py [--persona dana-yes-but] [--inner-voice chosen|model]
(needs `rehearse model install`)
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
from simulator.domain import Speaker, Turn  # noqa: E402
from simulator.rating.appraisal import Appraiser  # noqa: E402
from simulator.settings import load_settings  # noqa: E402

LINES = [
    "It sounds like you're exhausted.",
    "Have you thought about asking your sister to help more?",
    "You're carrying your mum, the kids and work, and nobody is asking how you are.",
    "Respite care is what makes the difference for most carers.",
    "I'm not going to give you a list of tips.",
    "My cat.",
    "Part of you seems angry that it all falls on you.",
    "You: ashamed, resent, mother, lonely, unseen, afraid.",
    "And maybe part of you feels bad for being angry.",
    "What would you want me to understand most about this?",
    "Let's make a plan: we'll find one evening a week that's just yours.",
    "It makes sense that being told to take time for yourself feels insulting.",
]


async def main(persona_id: str, inner_voice: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REHEARSE_", "OPENAI_"))}
    if inner_voice:
        env["REHEARSE_RATER_INNER_VOICE"] = inner_voice
    context = AppContext(load_settings({"transcripts": tempfile.mkdtemp()}, env=env))
    rater = context.model("rater")
    persona = context.personas.get(persona_id)
    appraiser = Appraiser(rater, context.prompts, persona, concurrent=False)
    turns = [Turn(Speaker.CLIENT, persona.profile.opening_lines[0])]
    if appraiser.needs_rater_model:
        await rater.complete([appraiser.context_message(turns), {"role": "user", "content": "Ready?"}], max_tokens=1)
    await rater.embedder.embed(["warm-up"])  # the embedding server starts; the feelings are embedded on line 1
    rows = []
    for line in LINES:
        turns.append(Turn(Speaker.TRAINEE, line))
        started = time.perf_counter()
        judged = await appraiser.judge(turns[-1], turns=turns)  # the state moves, the card shows
        heads = time.perf_counter() - started
        appraisal = await appraiser.voice_reaction(turns, judged)
        rows.append((line, heads, time.perf_counter() - started, appraisal))
        turns.append(Turn(Speaker.CLIENT, "Mm."))
    await context.aclose()
    print(f"Appraisal time per line, {persona_id}, judge '{rater.endpoint.judge}', inner voice "
          f"'{rater.endpoint.inner_voice}', {os.cpu_count()} cores\n")
    print("| line | judged (state moves) s | with the inner reaction s | understood | traps | feelings reached | thinks |")
    print("| --- | ---: | ---: | ---: | --- | --- | --- |")
    for line, heads, whole, appraisal in rows:
        reached = ", ".join(f"{name} ({t.value})" for name, t in appraisal.feelings.items() if t.value != "none")
        print(f"| {line[:60]} | {heads:.2f} | {whole:.2f} | {appraisal.understood} | "
              f"{', '.join(appraisal.traps) or '—'} | {reached or '—'} | {appraisal.inner_reaction} |")
    wholes = [whole for _, _, whole, _ in rows]
    heads = [h for _, h, _, _ in rows]
    print(f"\nmedian judgement {statistics.median(heads):.2f} s (the state and the card; target ≤ 3 s); "
          f"median with the inner reaction voiced {statistics.median(wholes):.2f} s; line 1 includes embedding "
          f"the hidden feelings, once a session: {heads[0]:.2f} s judged, {wholes[0]:.2f} s in all")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persona", default="dana-yes-but")
    parser.add_argument("--inner-voice", choices=("chosen", "model"), help="default: the setting's default")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.persona, arguments.inner_voice))
