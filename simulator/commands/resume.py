"""`rehearse resume`: carry on an unfinished session, in the app or headless with --say."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from simulator.errors import ConfigError, StorageError
from simulator.terminal_text import terminal_json, terminal_safe

CUT_OFF = " [cut off]"


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "resume", parents=parents, help="carry on an unfinished session (the newest one by default)",
        description="Carry on a session that was left unfinished, for example by a crash: every saved turn is "
                    "there, and a reply that was cut off is marked [cut off]. Opens the app on it, or with --say "
                    "plays on headless like `rehearse session`: the client answers each line, then fills in the "
                    "form. If your last line never got its answer, the client answers it first.",
    )
    parser.add_argument("session", nargs="?", metavar="SESSION",
                        help="session id or the start of one (default: the newest interrupted session)")
    parser.add_argument("--say", action="append", default=[], metavar="TEXT",
                        help="one trainee line, headless; repeat for each turn (an empty one waits in silence)")
    parser.add_argument("--predict", metavar="FILE", type=Path,
                        help="headless: your prediction of the client's form, as for `rehearse session`")
    parser.add_argument("--json", action="store_true", help="headless: print the whole session as one JSON document")
    parser.set_defaults(run=run)


def _newest_interrupted(store) -> str:
    history = store.history()
    for problem in history.problems:
        print(f"rehearse: warning: {terminal_safe(str(problem))}", file=sys.stderr)
    unfinished = [row for row in history.rows if row["status"] != "ended"]
    for row in unfinished:
        if row["status"] == "interrupted":
            return row["id"]
    if unfinished:
        raise StorageError("every unfinished session is open in another Rehearse process",
                           "carry on there, or name a session: rehearse resume SESSION")
    raise StorageError(f"no unfinished session in {store.folder}", "start one with `rehearse`")


def _open_in_app(context, session_id: str) -> int:
    from simulator.tui.app import RehearseApp

    RehearseApp(context, resume=session_id).run()
    return 0


def run(context, args: argparse.Namespace) -> int:
    store = context.store
    session_id = store.resolve(args.session) if args.session else _newest_interrupted(store)
    session = store.load(session_id)
    if session.ended:
        raise ConfigError(f"session {session_id} has ended",
                          f"read it with `rehearse export {session_id}`, or start a new one")
    persona = context.personas.get(session.persona_id)
    store.claim(session_id)  # before anything slow: a session open elsewhere fails at once
    if not args.say:
        if args.predict or args.json:
            raise ConfigError("--predict and --json need --say", "add one --say TEXT for each of your lines")
        return _open_in_app(context, session_id)
    return asyncio.run(_headless(context, args, persona, session))


async def _headless(context, args: argparse.Namespace, persona, session) -> int:
    try:
        return await _play(context, args, persona, session)
    finally:
        await context.aclose()


async def _play(context, args: argparse.Namespace, persona, session) -> int:
    from simulator.commands.session import read_prediction, with_calibration
    from simulator.domain import EMPATHY_MAX, SESSION_MAX, Speaker, TurnKind
    from simulator.engine.session import Redo, SessionEngine
    from simulator.serialization import session_to_dict

    prediction = read_prediction(args.predict) if args.predict else None
    engine = SessionEngine.resume(persona, session, client=context.model("client"), rater=context.model("rater"),
                                  prompts=context.prompts, store=context.store)
    out = sys.stdout
    show = not args.json
    name = terminal_safe(persona.profile.name)
    if show:
        for turn in engine.session.turns:
            who = name if turn.speaker is Speaker.CLIENT else "You"
            text = "*waits in silence*" if turn.kind is TurnKind.SILENCE else terminal_safe(turn.text)
            out.write(f"{who}: {text}{'' if turn.complete else CUT_OFF}\n")
        out.write("\n— resumed —\n")

    async def say(text: str, silence: bool) -> None:
        await engine.settle()  # the client plays from the last line's appraisal, as in `rehearse session`
        if show:
            out.write(f"\nYou: {terminal_safe(text) or '*waits in silence*'}\n{name}: ")
        async for piece in engine.say(text, silence=silence):
            if show:
                out.write(f"\n  (rewritten: {terminal_safe(piece.reason)})\n{name}: " if isinstance(piece, Redo)
                          else terminal_safe(piece))
                out.flush()
        if show:
            out.write("\n")

    if engine.awaiting_reply:
        pending = engine.session.turns[-1]
        if show:
            out.write("(your last line never got its answer)\n")
        await say(pending.text, pending.kind is TurnKind.SILENCE)
    for text in args.say:
        await say(text, not text.strip())
    form = await engine.end(prediction)
    if args.json:
        out.write(terminal_json(json.dumps(with_calibration(session_to_dict(engine.session), engine.session),
                                           indent=2, ensure_ascii=False)) + "\n")
        return 0
    verdict = "pass" if form.passed else "fail"
    risk = " — at risk" if form.at_risk else ""
    out.write(f"\n[{engine.branch.id}] Empathy {form.empathy_total}/{EMPATHY_MAX}, grade {form.grade} ({verdict}); "
              f"session {form.session_total}/{SESSION_MAX}{risk}\n")
    out.write(f'{name}: "{terminal_safe(form.comment)}"\n')
    out.write(f"Saved to {context.store.path_for(engine.session.id)}\n")
    return 0
