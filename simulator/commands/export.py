"""`rehearse export`: one saved session as Markdown, JSON (for `rehearse import`) or a self-contained HTML report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulator.errors import ConfigError, RehearseError
from simulator.terminal_text import terminal_json, terminal_safe

FORMATS = ("md", "json", "html")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "export", parents=parents, help="write a saved session as Markdown, JSON or an HTML report",
        description="Write one saved session: md for notes, json for `rehearse import` on another machine, html for "
                    "a self-contained report (transcript, form, hidden feelings, trust curve) that opens offline "
                    "in any browser. Exports contain what was said: share them with care.",
    )
    parser.add_argument("session", metavar="SESSION", help="session id, or the start of one (see `rehearse history`)")
    parser.add_argument("--format", choices=FORMATS, default="md", help="md (default), json or html")
    parser.add_argument("-o", "--out", metavar="FILE", type=Path,
                        help="write to FILE (readable by you only); default or '-': standard output")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--anonymize", action="store_true", help="a copy for someone else: no names (the trainee's, a group's, names typed in lines), e-mail "
                        "addresses, phone numbers, session id or time of day")
    parser.set_defaults(run=run)


def _persona(context, persona_id: str):
    try:
        return context.personas.get(persona_id)
    except RehearseError:
        return None  # e.g. an imported session with someone else's persona: report without hidden feelings


def run(context, args: argparse.Namespace) -> int:
    from simulator.storage.atomic import replace_file
    from simulator.storage.formats import render
    from simulator.storage.anonymize import anonymized

    store = context.store
    session = store.load(store.resolve(args.session))
    persona = _persona(context, session.persona_id)
    if args.anonymize:
        session = anonymized(session, persona)
    text = render(session, persona if args.format != "json" else None, args.format)
    if args.out is None or str(args.out) == "-":
        sys.stdout.write(terminal_json(text) if args.format == "json" else terminal_safe(text))
        return 0
    if args.out.exists() and not args.force:
        raise ConfigError(f"{args.out} already exists", "add --force to replace it, or choose another -o FILE")
    try:
        replace_file(args.out.resolve(), text.encode("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot write {args.out} ({error.strerror})", "choose a writable -o FILE") from None
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0
