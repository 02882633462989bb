"""`rehearse serve`: the same app in a browser, for workshop rooms."""

from __future__ import annotations

import argparse
import ipaddress
import socket

# Settings flags are passed on to each browser session's own `rehearse app`.
FORWARDED = ("config", "base_url", "api_key", "client_model", "rater_model", "transcripts", "trainee", "model_path")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", parents=parents,
                                 help="serve the app to web browsers (textual-serve), e.g. for a workshop room")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 lets other machines join)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--room", action="store_true",
                        help="a workshop room: a join link with a room code (others are refused), one seat "
                             "per participant's browser, each seeing only their own sessions, and a leader's view")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address browsers use to reach this machine (default: worked out from --host)")
    parser.set_defaults(run=run)


def app_arguments(args: argparse.Namespace, room: bool = False) -> list[str]:
    forwarded = []
    for name in FORWARDED:
        value = getattr(args, name, None)
        if value and not (room and name in ("transcripts", "trainee")):  # a room gives each seat its own
            forwarded += [f"--{name.replace('_', '-')}", str(value)]
    for path in getattr(args, "personas", None) or []:
        forwarded += ["--personas", str(path)]
    return forwarded


def public_url(host: str, port: int) -> str:
    """What a browser types: the listening address, or this machine's own address on the network
    when listening on all of them."""
    try:
        everywhere = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        everywhere = False
    if everywhere:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the route
                host = probe.getsockname()[0]
            except OSError:
                host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def share_engines(settings):
    """Start the room's shared engines (one per embedded role) and tell every tab where they are;
    returns a function that stops them, or None when each tab manages its own model."""
    import os

    from simulator.errors import RehearseError
    from simulator.llm.endpoints import room_engines

    shared, engines = room_engines(settings)
    if shared is None:
        return None
    print(f"Loading the local model once for every tab ({', '.join(e.role for e in engines)})…", flush=True)
    try:
        for engine in engines:
            engine.start()
    except RehearseError as error:
        for engine in engines:
            engine.close()
        print(f"warning: each tab will start its own model: {error}", flush=True)
        return None
    shared.start()
    os.environ.update(shared.environment())  # each tab's process inherits it

    def stop() -> None:
        shared.stop()
        for engine in engines:
            engine.close()

    return stop


def run(context, args: argparse.Namespace) -> int:
    from simulator.tui.serve import RoomAccess, serve

    url = (args.public_url or public_url(args.host, args.port)).rstrip("/")
    stop_engines = share_engines(context.settings)
    try:
        if not args.room:
            print(f"Serving Rehearse at {url} — open it in a browser; Ctrl+C stops.", flush=True)
            serve(app_arguments(args), args.host, args.port, url)
            return 0
        room = RoomAccess.open(context.settings.transcripts)
        print(f"Workshop room open. Participants join at:\n  {url}{room.join_path()}\n"
              f"Your leader's view (keep this one to yourself):\n  {url}{room.leader_path()}\n"
              f"Without the room code a browser is refused. Sessions are kept in {room.room.folder}. "
              "Ctrl+C stops.", flush=True)
        serve(app_arguments(args, room=True), args.host, args.port, url, room)
        return 0
    finally:
        if stop_engines is not None:
            stop_engines()
