"""Serve the app to browsers with textual-serve: each browser tab runs its own `rehearse app`."""

from __future__ import annotations

import shlex
import sys


def serve(app_arguments: list[str], host: str, port: int) -> None:
    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "simulator", "app", *app_arguments])
    Server(command, host=host, port=port, title="Rehearse").serve()
