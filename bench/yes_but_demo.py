"""Issue #4's done-when, played headless: the yes-but client met with advice, then (a retry from
line 1) with accurate empathy, and again (a second retry) with the same empathy in other words that
the rater's rules were never tuned on. Each branch is closed by the client's form; prints one table
per branch.

Run: .venv/bin/python bench/yes_but_demo.py            (the configured models; embedded by default)
     .venv/bin/python bench/yes_but_demo.py --from-json FILE   (print the tables of a saved run)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADVICE = [
    "Have you thought about getting a carer in for your mum a couple of days a week?",
    "You should try to make some time for yourself, even a short walk each day.",
    "Why don't you ask your sister to take on more? You need to set some boundaries.",
    "You're doing a great job, honestly. Things will get easier once you get organised.",
    "I'd suggest a support group for carers. It might help to talk to people in the same boat.",
]
EMPATHY = [
    "It sounds like you're exhausted, and everyone has a suggestion for you except the one thing you need.",
    "You're carrying your mum, the kids and your job, and nobody is asking how you are.",
    "And being told to take time for yourself must feel like one more thing you're failing at.",
    "I wonder if part of you is worn out with your mum, and then you feel awful for even feeling that.",
    "That's a lot to hold on your own. What has been the hardest moment this week?",
]
EMPATHY_REWORDED = [
    "Everyone hands you solutions, and none of them fit the life you're actually living.",
    "It sounds like you're doing all of this by yourself, and nobody checks in on you.",
    "Maybe being told to look after yourself just makes you furious, as if you hadn't thought of it.",
    "Caring for a parent can stir up feelings that are hard to admit, like resenting her, and then guilt.",
    "What's it like for you at night, when everyone else is finally asleep?",
]


def play(transcripts: Path) -> dict:
    command = [sys.executable, "-m", "simulator", "session", "--persona", "dana-yes-but",
               "--transcripts", str(transcripts)]
    for line in ADVICE:
        command += ["--say", line]
    for lines in (EMPATHY, EMPATHY_REWORDED):
        command += ["--retry-from", "1"]
        for line in lines:
            command += ["--say", line]
    done = subprocess.run([*command, "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def branch_table(branch: dict) -> str:
    rows = ["| # | trainee | client | feelings reached | traps | understood | trust after |",
            "| ---: | --- | --- | --- | --- | ---: | ---: |"]
    turns = branch["turns"]
    number = 0
    for index, turn in enumerate(turns):
        if turn["speaker"] != "trainee":
            continue
        number += 1
        answer = turns[index + 1] if index + 1 < len(turns) else {"text": ""}
        reply = answer["text"] + (f" *({answer['note']})*" if answer.get("note") else "")
        if turn.get("note"):
            reply += f" *(your line: {turn['note']})*"
        appraisal = turn.get("appraisal") or {}
        reached = ", ".join(f"{name} ({touch})" for name, touch in appraisal.get("feelings", {}).items()
                            if touch != "none") or "—"
        traps = ", ".join(appraisal.get("traps", [])) or "—"
        trust = turn.get("state_after", {}).get("trust", "")
        rows.append(f"| {number} | {cell(turn['text'])} | {cell(reply)} | {reached} | {traps} | "
                    f"{appraisal.get('understood', '')} | {trust} |")
    form = branch["form"]
    lines = ["\n".join(rows), "",
             f"Form: empathy {form['empathy_total']}/20, grade **{form['grade']}** "
             f"({'pass' if form['passed'] else 'fail'}); items {form['empathy']}; helpfulness "
             f"{form['helpfulness']}/4; session ratings {form['session_total']}/40"
             f"{' (at risk)' if form['at_risk'] else ''}.", "",
             f"Comment: “{form['comment']}”", ""]
    lines += [f"- low **{quote['item']}** earned by: “{quote['quote']}”" for quote in form["low_score_quotes"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-json", type=Path, help="a saved `rehearse session --json` run of this demo")
    args = parser.parse_args()
    if args.from_json:
        session, seconds = json.loads(args.from_json.read_text()), None
    else:
        with tempfile.TemporaryDirectory() as transcripts:
            started = time.perf_counter()
            session = play(Path(transcripts))
            seconds = time.perf_counter() - started
    print(f"client model: {session['client_model']}; rater model: {session['rater_model']}"
          + (f"; played in {seconds:.0f} s" if seconds else ""))
    titles = ["Advice", "Accurate empathy (retry from line 1)", "The same empathy in other words (retry from line 1)"]
    for title, branch in zip(titles, session["branches"]):
        print(f"\n### {title} — branch `{branch['id']}`\n")
        print(branch_table(branch))


if __name__ == "__main__":
    main()
