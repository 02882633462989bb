"""`rehearse delete`: remove a saved session for good, after asking."""

from __future__ import annotations

import argparse
import sys

from simulator.errors import ConfigError
from simulator.terminal_text import terminal_safe


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "delete", parents=parents, help="delete a saved session for good (asks first)",
        description="Delete a saved session, every branch of it, for good. Asks first on a terminal; "
                    "elsewhere give --yes. A session open in another Rehearse process is not deleted.",
    )
    parser.add_argument("session", metavar="SESSION", help="session id or the start of one (see `rehearse history`)")
    parser.add_argument("-y", "--yes", action="store_true", help="delete without asking")
    parser.set_defaults(run=run)


def run(context, args: argparse.Namespace) -> int:
    store = context.store
    session_id = store.resolve(args.session)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"rehearse delete: not deleting {session_id} without asking",
                              "run it on a terminal to be asked, or add --yes")
        session = store.load(session_id)
        lines = sum(1 for branch in session.branches for turn in branch.turns if turn.speaker.value == "trainee")
        answer = input(f"Delete {terminal_safe(session_id)} ({terminal_safe(session.persona_id)}, {lines} of your "
                       f"lines) for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Kept it.")
            return 0
    path = store.delete(session_id)
    print(f"Deleted {path}")
    return 0
