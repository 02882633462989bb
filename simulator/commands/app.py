"""`rehearse app` (and plain `rehearse`): the terminal app."""

from __future__ import annotations

import argparse


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("app", parents=parents, help="open the app (the default)")
    parser.set_defaults(run=run)


def run(context, args: argparse.Namespace) -> int:
    from simulator.tui.app import RehearseApp

    RehearseApp(context).run()
    return 0
