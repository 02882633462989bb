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


@pytest.fixture
def served(server, endpoint_env):
    port = free_port()
    process = subprocess.Popen([*rehearse_command(), "serve", "--port", str(port)], cwd=PROJECT_DIR,
                               env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"127.0.0.1:{port}"
    os.killpg(process.pid, 15)
    process.wait(timeout=10)


async def read_screen(address: str, wanted: str, seconds: float = 30) -> str:
    seen = ""
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(f"ws://{address}/ws?width=100&height=30") as websocket:
            deadline = time.monotonic() + seconds
            while wanted not in seen and time.monotonic() < deadline:
                try:
                    message = await websocket.receive(timeout=deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += ANSI.sub("", message.data.decode("utf-8", "replace"))
                elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break
    return seen


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
