"""The `rehearse` command: parse flags, build settings and context, then run the app or a headless command."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from simulator.errors import RehearseError

DESCRIPTION = "Rehearse: a terminal flight simulator for hard therapy conversations."


def _common_options(defaults: Any) -> argparse.ArgumentParser:
    """Flags every command takes; `defaults` is None on the top level and SUPPRESS on subcommands."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("settings (flags beat REHEARSE_* variables, which beat the config file)")
    group.add_argument("--config", metavar="FILE", default=defaults, help="config TOML file (env: REHEARSE_CONFIG)")
    group.add_argument("--base-url", metavar="URL", default=defaults,
                       help="OpenAI-compatible endpoint for both roles (env: REHEARSE_BASE_URL)")
    group.add_argument("--api-key", metavar="KEY", default=defaults, help="API key (env: REHEARSE_API_KEY)")
    group.add_argument("--client-model", metavar="NAME", default=defaults,
                       help="model that plays the client (env: REHEARSE_CLIENT_MODEL)")
    group.add_argument("--rater-model", metavar="NAME", default=defaults,
                       help="model that rates the trainee (env: REHEARSE_RATER_MODEL)")
    group.add_argument("--transcripts", metavar="DIR", default=defaults,
                       help="folder for saved sessions (env: REHEARSE_TRANSCRIPTS)")
    group.add_argument("--personas", metavar="PATH", action="append", default=defaults,
                       help="extra persona file or folder; may be repeated")
    group.add_argument("--trainee", metavar="NAME", default=defaults, help="your name, saved with each session")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehearse",
        description=DESCRIPTION + " With no command, opens the app.",
        parents=[_common_options(None)],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub_parents = [_common_options(argparse.SUPPRESS)]

    commands.add_parser("app", parents=sub_parents, help="open the app (the default)")

    session = commands.add_parser(
        "session", parents=sub_parents,
        help="play a session headless: say each line in turn, then print the client's form",
        description="Play a whole session without the app: each --say is one trainee line, "
                    "the client answers each, then the client fills in the post-session form.",
    )
    session.add_argument("--persona", required=True, metavar="ID", help="persona id (see the app's list)")
    session.add_argument("--say", action="append", default=[], metavar="TEXT", required=True,
                         help="one trainee line; repeat for each turn")
    session.add_argument("--json", action="store_true", help="print the whole session as one JSON document")

    doctor = commands.add_parser(
        "doctor", parents=sub_parents,
        help="check each role's model: backend, whether it answers and gives structured output, speed",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    return parser


def _settings_from(args: argparse.Namespace):
    from simulator.settings import load_settings

    model: dict[str, Any] = {}
    if getattr(args, "base_url", None):
        model["base_url"] = args.base_url
    if getattr(args, "api_key", None):
        model["api_key"] = args.api_key
    cli = {
        "config": getattr(args, "config", None),
        "model": model,
        "client": {"model": getattr(args, "client_model", None)},
        "rater": {"model": getattr(args, "rater_model", None)},
        "transcripts": getattr(args, "transcripts", None),
        "personas": getattr(args, "personas", None),
        "trainee": getattr(args, "trainee", None),
    }
    return load_settings(cli)


async def _run_session(context, args: argparse.Namespace) -> int:
    from simulator.domain import EMPATHY_MAX, SESSION_MAX
    from simulator.serialization import session_to_dict

    out = sys.stdout
    engine = context.begin_session(args.persona)
    name = engine.persona.profile.name
    try:
        if not args.json:
            out.write(f"{name}: {engine.session.turns[0].text}\n")
        for line in args.say:
            if not args.json:
                out.write(f"\nYou: {line}\n{name}: ")
            async for piece in engine.say(line):
                if not args.json:
                    out.write(piece)
                    out.flush()
            if not args.json:
                out.write("\n")
        form = await engine.end()
    finally:
        await context.aclose()
    if args.json:
        json.dump(session_to_dict(engine.session), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(f"\nEmpathy {form.empathy_total}/{EMPATHY_MAX}, grade {form.grade} ({'pass' if form.passed else 'fail'}); "
                  f"session {form.session_total}/{SESSION_MAX}{' — at risk' if form.at_risk else ''}\n")
        out.write(f'{name}: "{form.comment}"\n')
        out.write(f"Saved to {context.store.path_for(engine.session.id)}\n")
    return 0


async def _run_doctor(context, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from simulator.llm.doctor import check_role

    checks = []
    try:
        for role in ("client", "rater"):
            try:
                model = context.model(role)
            except RehearseError as error:
                print(f"{role}: {error}", file=sys.stderr)
                return 2
            checks.append(await check_role(model))
    finally:
        await context.aclose()
    if args.json:
        json.dump([asdict(check) for check in checks], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        def seconds(value: float | None) -> str:
            return f"{value:.2f} s" if value is not None else "—"

        rows = [("role", "backend", "model", "endpoint", "answers", "structured", "first token", "tokens/s")]
        for check in checks:
            rows.append((check.role, check.backend, check.model or "?", check.base_url,
                         "yes" if check.answers else "NO", "yes" if check.structured else "NO",
                         seconds(check.first_token_s),
                         f"{check.tokens_per_s:.1f}" if check.tokens_per_s else "—"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        for check in checks:
            if check.problem:
                print(f"{check.role}: {check.problem}")
    return 0 if all(check.healthy for check in checks) else 1


def _run_app(context) -> int:
    from simulator.tui.app import RehearseApp

    RehearseApp(context).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from simulator.context import AppContext

        context = AppContext(_settings_from(args))
        if args.command == "session":
            return asyncio.run(_run_session(context, args))
        if args.command == "doctor":
            return asyncio.run(_run_doctor(context, args))
        return _run_app(context)
    except RehearseError as error:
        print(f"rehearse: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
