"""`rehearse app` (and plain `rehearse`): the terminal app."""

from __future__ import annotations

import argparse
import os
import sys

from simulator.errors import ConfigError


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("app", parents=parents, help="open the app (the default)")
    # Set by `rehearse serve --room` for each browser tab, not by people.
    parser.add_argument("--room-seat", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--room-leader", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def on_a_terminal() -> bool:
    """A terminal to draw on, or a driver that draws elsewhere (`rehearse serve` runs the app under
    Textual's web driver, with pipes for standard input and output)."""
    return bool(os.environ.get("TEXTUAL_DRIVER")) or (sys.stdin.isatty() and sys.stdout.isatty())


def require_terminal(command: str, headless: str) -> None:
    """The app draws on a terminal and reads its keys: without one it would wait forever, unseen."""
    if not on_a_terminal():
        raise ConfigError(f"{command}: the app needs a terminal, and standard input or output is not one",
                          f"run it in a terminal, or {headless}")


def run(context, args: argparse.Namespace) -> int:
    from simulator.tui.app import RehearseApp

    require_terminal("rehearse", "play headless with `rehearse session --persona ID --say TEXT`")
    seat = room = None
    if getattr(args, "room_seat", None):
        from pathlib import Path

        from simulator.storage.room import Room, Seat

        seat = Seat(Path(args.room_seat))
        room = Room(Path(args.room_leader)) if args.room_leader else None
    RehearseApp(context, seat=seat, room=room).run()
    return 0
