"""`rehearse serve` on the embedded engine: the server loads the model once per role, and every
tab's sessions use those engines (the tiny test model, plumbing only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.llm import model_files
from simulator.llm.shared import SHARED_ENV
from tests.tui.test_serve import drive, start_serving, stop_serving
from tests.tui.test_serve_room import browser


def descendants(root: int) -> dict[int, tuple[str, str, int]]:
    """pid: (command line, environment, parent) of every process started, directly or not, by `root`."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                try:
                    command = (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
                    environment = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")
                except OSError:
                    continue
                found[pid] = (command, environment, parent)
                frontier.append(pid)
    return found


@pytest.fixture
def served_on_the_tiny_model(isolated_env):
    env = dict(os.environ, REHEARSE_MODEL_PATH=str(model_files.tiny_model_path()))
    process, port, printed = start_serving(env=env, seconds=90)
    yield f"127.0.0.1:{port}", process, printed
    stop_serving(process)


async def test_every_tab_uses_the_servers_one_engine_per_role(served_on_the_tiny_model):
    address, process, printed = served_on_the_tiny_model
    assert "Loading the local model once for every tab (client, rater)" in printed
    async with browser() as first, browser() as second:
        async with first.ws_connect(f"ws://{address}/ws?width=100&height=30") as one, \
                second.ws_connect(f"ws://{address}/ws?width=100&height=30") as two:
            for websocket in (one, two):
                # Enter starts a session with Dana; its first request (the prompt warm-up) goes to the model.
                screen = await drive(websocket, "Type your reply", [("Dana Whitfield", "\r")], seconds=30)
                assert "Type your reply" in screen
            for websocket in (one, two):  # time for a tab that started its own engine to show it
                await drive(websocket, "never shown", seconds=1.5)
            running = descendants(process.pid)
            engines = [parent for command, _, parent in running.values() if "simulator.llm.embedded" in command]
            tabs = [env for command, env, _ in running.values()  # textual-serve starts each through a shell
                    if "simulator app" in command and not command.startswith(("/bin/sh", "sh "))]
            assert engines == [process.pid] * 2, running  # the client's and the rater's, started by the server
            assert len(tabs) == 2 and all(f"{SHARED_ENV}=" in env for env in tabs)
