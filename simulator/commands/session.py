"""`rehearse session`: a whole session without the app, for scripts and instructors."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "session", parents=parents,
        help="play a session headless: say each line in turn, then print the client's form",
        description="Play a whole session without the app: each --say is one trainee line, "
                    "the client answers each, then the client fills in the post-session form.",
    )
    parser.add_argument("--persona", required=True, metavar="ID", help="persona id (see the app's list)")
    parser.add_argument("--say", action="append", default=[], metavar="TEXT", required=True,
                        help="one trainee line; repeat for each turn")
    parser.add_argument("--json", action="store_true", help="print the whole session as one JSON document")
    parser.set_defaults(run=run)


async def run(context, args: argparse.Namespace) -> int:
    from simulator.domain import EMPATHY_MAX, SESSION_MAX
    from simulator.engine.session import Redo
    from simulator.serialization import session_to_dict

    out = sys.stdout
    engine = context.begin_session(args.persona)
    name = engine.persona.profile.name
    if not args.json:
        out.write(f"{name}: {engine.session.turns[0].text}\n")
    for line in args.say:
        if not args.json:
            out.write(f"\nYou: {line}\n{name}: ")
        async for piece in engine.say(line):
            if args.json:
                continue
            if isinstance(piece, Redo):
                out.write(f"\n  (rewritten: {piece.reason})\n{name}: ")
            else:
                out.write(piece)
            out.flush()
        if not args.json:
            out.write("\n")
    form = await engine.end()
    if args.json:
        json.dump(session_to_dict(engine.session), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0
    verdict = "pass" if form.passed else "fail"
    risk = " — at risk" if form.at_risk else ""
    out.write(f"\nEmpathy {form.empathy_total}/{EMPATHY_MAX}, grade {form.grade} ({verdict}); "
              f"session {form.session_total}/{SESSION_MAX}{risk}\n")
    out.write(f'{name}: "{form.comment}"\n')
    out.write(f"Saved to {context.store.path_for(engine.session.id)}\n")
    return 0
