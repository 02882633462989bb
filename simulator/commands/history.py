"""`rehearse history`: saved sessions, newest first, with their scores."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from simulator.storage.search import session_holds
from simulator.terminal_text import terminal_json, terminal_safe

COLUMNS = ("date", "persona", "trainee", "turns", "empathy", "grade", "gap", "status", "session")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "history", parents=parents, help="list saved sessions, newest first",
        description="List saved sessions, newest first: date, persona, trainee, length (your turns), the client's "
                    "empathy total and grade, and your calibration gap (predicted minus actual empathy total). "
                    "--trainee NAME (any case) keeps only that trainee's sessions, workshops they took part in included. Unreadable session files are "
                    "skipped with a warning on standard error.",
    )
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON list")
    parser.add_argument("--persona", metavar="ID", help="only sessions with this persona")
    parser.add_argument("--grep", metavar="TEXT", help="only sessions whose lines, replies, notes or form comment "
                                                       "hold TEXT (any case)")
    # --trainee NAME is one of the flags every command takes; here it filters.
    parser.set_defaults(run=run)


def _when(stamp: str | None) -> str:
    if not stamp:
        return "-"
    moment = datetime.fromisoformat(stamp)
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    from simulator.domain import EMPATHY_MAX

    gap = row["calibration_gap"]
    return (
        _when(row["started_at"]),
        row["persona_id"],
        row["trainee"] or ", ".join(row["group"]) or "-",
        str(row["turns"]),
        f"{row['empathy_total']}/{EMPATHY_MAX}" if row["empathy_total"] is not None else "-",
        row["grade"] or "-",
        f"{gap:+d}" if gap is not None else "-",
        row["status"] + (" (cut off)" if row["cut_off"] and row["status"] != "ended" else ""),
        row["id"],
    )


def table(rows: list[dict[str, Any]]) -> str:
    lines = [COLUMNS, *(tuple(terminal_safe(cell) for cell in _cells(row)) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def run(context, args: argparse.Namespace) -> int:
    history = context.store.history()
    for problem in history.problems:
        print(f"rehearse: warning: {terminal_safe(str(problem))}", file=sys.stderr)
    rows = history.rows
    if args.persona:
        rows = [row for row in rows if row["persona_id"] == args.persona]
    trainee = getattr(args, "trainee", None)  # the flag only: a trainee name from the config lists everyone
    if trainee:
        wanted = trainee.casefold()
        rows = [row for row in rows
                if wanted in {name.casefold() for name in (row["trainee"], *row["group"])}]
    if args.grep:
        rows = [row for row in rows if session_holds(context.store, row["id"], args.grep)]
    if args.json:
        sys.stdout.write(terminal_json(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n")
    elif rows:
        print(table(rows))
    else:
        print(f"No saved sessions{' match' if args.persona or trainee or args.grep else ''} in {context.store.folder}.")
    return 0
