"""`rehearse resume`: carry on an unfinished session, in the app or headless with --say."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from simulator.commands.app import require_terminal
from simulator.errors import ConfigError, StorageError
from simulator.terminal_text import terminal_safe


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
    if not args.say:
        if args.predict or args.json:
            raise ConfigError("--predict and --json need --say", "add one --say TEXT for each of your lines")
        require_terminal("rehearse resume", f"carry on headless: rehearse resume {session_id} --say TEXT")
    store.claim(session_id)  # before anything slow: a session open elsewhere fails at once
    if not args.say:
        return _open_in_app(context, session_id)
    return asyncio.run(_headless(context, args, persona, session))


async def _headless(context, args: argparse.Namespace, persona, session) -> int:
    try:
        return await _play(context, args, persona, session)
    finally:
        await context.aclose()


async def _play(context, args: argparse.Namespace, persona, session) -> int:
    from simulator.commands.headless import HeadlessPlay
    from simulator.commands.session import read_prediction
    from simulator.domain import TurnKind
    from simulator.engine.session import SessionEngine

    prediction = read_prediction(args.predict) if args.predict else None
    engine = SessionEngine.resume(persona, session, client=context.model("client"), rater=context.model("rater"),
                                  prompts=context.prompts, store=context.store)
    play = HeadlessPlay(context, engine, show=not args.json)
    play.print_turns()
    play.write("\n— resumed —\n")
    if engine.awaiting_reply:
        pending = engine.session.turns[-1]
        play.write("(your last line never got its answer)\n")
        await play.say(pending.text, silence=pending.kind is TurnKind.SILENCE, unsent=args.say)
    for number, text in enumerate(args.say):
        await play.say(text, unsent=args.say[number + 1:])
    await play.finish_branch(prediction)
    play.report(args.json)
    return 0
