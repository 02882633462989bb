"""`rehearse serve`: the same app in a browser, for workshop rooms."""

from __future__ import annotations

import argparse

# Settings flags are passed on to each browser session's own `rehearse app`.
FORWARDED = ("config", "base_url", "api_key", "client_model", "rater_model", "transcripts", "trainee", "model_path")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", parents=parents,
                                 help="serve the app to web browsers (textual-serve), e.g. for a workshop room")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.set_defaults(run=run)


def app_arguments(args: argparse.Namespace) -> list[str]:
    forwarded = []
    for name in FORWARDED:
        value = getattr(args, name, None)
        if value:
            forwarded += [f"--{name.replace('_', '-')}", str(value)]
    for path in getattr(args, "personas", None) or []:
        forwarded += ["--personas", str(path)]
    return forwarded


def run(context, args: argparse.Namespace) -> int:
    from simulator.tui.serve import serve

    print(f"Serving Rehearse at http://{args.host}:{args.port} — open it in a browser; Ctrl+C stops.")
    serve(app_arguments(args), args.host, args.port)
    return 0
