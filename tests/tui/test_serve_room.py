"""`rehearse serve --room`: a workshop room in browsers. Each participant (a browser of their own,
here an HTTP client with its own cookie jar) gets a seat and sees only their own sessions; a
request without the room code is refused; the leader's link shows the room; the page asks
nothing of the internet."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from simulator.storage.room import Room
from tests.test_history import make_session
from tests.tui.test_serve import drive, start_serving, stop_serving


@pytest.fixture
def room(server, endpoint_env):
    process, port, printed = start_serving("--room")
    join = re.search(r"(http://\S+/\?room=[\w-]+)\n", printed)
    leader = re.search(r"(http://\S+/\?room=[\w-]+&leader=[\w-]+)", printed)
    folder = re.search(r"Sessions are kept in (\S+)\. ", printed)
    assert join and leader and folder, printed
    yield {"address": f"127.0.0.1:{port}", "join": join.group(1), "leader": leader.group(1),
           "room": Room(Path(folder.group(1)))}
    stop_serving(process)


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # unsafe: cookies for an IP address


async def tab(client: aiohttp.ClientSession, address: str, wanted: str, keys: list[tuple[str, str]] = (),
              seconds: float = 30) -> str:
    """Open the app's websocket as the page does, drive it, and close the tab."""
    async with client.ws_connect(f"ws://{address}/ws?width=100&height=30") as websocket:
        return await drive(websocket, wanted, keys, seconds)


async def test_without_the_room_code_every_door_is_closed(room):
    address = room["address"]
    async with browser() as stranger:
        for path in ("/", "/?room=guess", "/download/anything"):
            async with stranger.get(f"http://{address}{path}") as response:
                assert response.status == 403 and "join link" in await response.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await stranger.ws_connect(f"ws://{address}/ws")
        assert refused.value.status == 403
    assert room["room"].seats() == []  # nobody got a seat


async def test_the_page_loads_nothing_from_outside_the_machine(room):
    async with browser() as participant:
        async with participant.get(room["join"]) as response:
            page = await response.text()
        assert response.status == 200 and "textual.js" in page
        assert "fonts.googleapis.com" not in page and not re.search(r"""(src|href)=["']https?://(?!127\.0\.0\.1)""", page)
        font = re.search(r"url\('(/static/fonts/[^']+)'\)", page).group(1)
        async with participant.get(f"http://{room['address']}{font}") as response:
            assert response.status == 200 and len(await response.read()) > 10_000


async def test_two_participants_see_only_their_own_sessions_and_the_leader_sees_both(room):
    address = room["address"]
    async with browser() as ana, browser() as ben, browser() as leader:
        for client, name in ((ana, "Ana"), (ben, "Ben")):
            async with client.get(room["join"]) as response:
                assert response.status == 200
            screen = await tab(client, address, "Dana Whitfield", [("Your name?", f"{name}\r")])
            assert "Dana Whitfield" in screen
        seats = {seat.name: seat for seat in room["room"].seats()}
        assert set(seats) == {"Ana", "Ben"} and seats["Ana"].folder != seats["Ben"].folder

        finished = make_session(3, persona="marcus-hostile", trainee="Ana")
        store = seats["Ana"].store()
        store.save(finished)
        store.close()

        own = await tab(ana, address, "Marcus Reid:", [("Your name?", "\r")])
        assert "Marcus Reid:" in own  # the home screen's recent sessions: Ana's own
        other = await tab(ben, address, "No finished sessions yet", [("Your name?", "\r")])
        assert "No finished sessions yet" in other and "Marcus Reid:" not in other

        async with leader.get(room["leader"]) as response:
            assert response.status == 200
        view = await tab(leader, address, "Ben", [("Your name?", "Lee\r")])
        assert "Workshop room" in view and "Ana" in view and "Ben" in view
        assert "16/20" in view  # Ana's finished session's empathy
