"""`rehearse serve`: the app in a browser. A headless Chromium loads the page, and a websocket
client speaking the page's protocol reads the home screen the served app draws."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import time

import aiohttp
import pytest

from tests.conftest import PROJECT_DIR, rehearse_command

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serving(*flags: str, env: dict[str, str] | None = None, seconds: float = 20):
    """`rehearse serve` on a free port, once it listens: the process, the port, and what it printed
    up to "Ctrl+C stops"."""
    port = free_port()
    process = subprocess.Popen([*rehearse_command(), "serve", "--port", str(port), *flags], cwd=PROJECT_DIR,
                               env=env or dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    printed = ""
    deadline = time.monotonic() + seconds
    while "Ctrl+C stops" not in printed and time.monotonic() < deadline:
        printed += process.stdout.readline()
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    return process, port, printed


def stop_serving(process: subprocess.Popen) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


@pytest.fixture
def served(server, endpoint_env):
    process, port, _ = start_serving()
    yield f"127.0.0.1:{port}"
    stop_serving(process)


async def drive(websocket, wanted: str, keys: list[tuple[str, str]] = (), seconds: float = 30) -> str:
    """On an open app websocket (the page's protocol): type each key once its cue is on screen;
    return the screen text once `wanted` shows."""
    seen = ""
    pending = list(keys)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pending and pending[0][0] in seen:
            await websocket.send_json(["stdin", pending.pop(0)[1]])
            seen = ""
        if not pending and wanted in seen:
            break
        try:
            message = await websocket.receive(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += ANSI.sub("", message.data.decode("utf-8", "replace"))
        elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    return seen


async def read_screen(address: str, wanted: str, seconds: float = 30) -> str:
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(f"ws://{address}/ws?width=100&height=30") as websocket:
            return await drive(websocket, wanted, seconds=seconds)


async def test_the_served_app_draws_the_home_screen(served):
    screen = await read_screen(served, "Dana Whitfield")
    assert "Rehearse — practice the hard conversations" in screen
    assert "Dana Whitfield" in screen and "Recent sessions" in screen


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (make test installs Debian's chromium)")
def test_headless_chromium_opens_the_page_without_errors(served, tmp_path):
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000", "--dump-dom", f"http://{served}/"],
        capture_output=True, text=True, timeout=90,
    )
    assert "textual.js" in result.stdout and "xterm-screen" in result.stdout  # the terminal was built
    assert f'data-session-websocket-url="ws://{served}/ws"' in result.stdout
    assert 'class="-loaded"' in result.stdout
    assert "Uncaught" not in result.stderr
