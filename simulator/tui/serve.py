"""Serve the app to browsers with textual-serve: each browser tab runs its own `rehearse app`.

In room mode every request needs the room's code (from the join link, then a cookie); each browser
gets a seat of its own, and its tabs run the app on that seat's folder only. The leader's link adds
a second code and opens the room view. The page loads nothing from outside the machine: the font
textual-serve asks a public font host for is served from its own static folder instead.
"""

from __future__ import annotations

import contextvars
import re
import shlex
import sys
from dataclasses import dataclass
from hmac import compare_digest
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from simulator.storage.room import Room, new_code, valid_seat_id

ROOM_COOKIE = "rehearse_room"
SEAT_COOKIE = "rehearse_seat"
LEADER_COOKIE = "rehearse_leader"
REFUSED = ("This Rehearse room is open only through its join link. "
           "Ask the workshop leader for the link (it ends in ?room=…).")
OUTSIDE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>\s*", re.IGNORECASE)
LOCAL_FONT = ("<style>@font-face { font-family: 'Roboto Mono'; "
              "src: url('/static/fonts/RobotoMono-VariableFont_wght.ttf') format('truetype'); }</style>")

_tab_arguments: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("tab_arguments", default=())
"""The `rehearse app` arguments of the tab whose request is being handled (its seat, or the room)."""


@dataclass(frozen=True)
class RoomAccess:
    room: Room
    code: str
    leader_code: str

    @classmethod
    def open(cls, transcripts: Path) -> RoomAccess:
        return cls(Room.create(transcripts), new_code(), new_code())

    def join_path(self) -> str:
        return f"/?room={self.code}"

    def leader_path(self) -> str:
        return f"/?room={self.code}&leader={self.leader_code}"


def _matches(given: str | None, expected: str) -> bool:
    return bool(given) and compare_digest(given.encode(), expected.encode())


class RehearseServer(Server):
    def __init__(self, app_arguments: list[str], host: str, port: int, public_url: str | None = None,
                 room: RoomAccess | None = None) -> None:
        super().__init__("rehearse app", host=host, port=port, title="Rehearse", public_url=public_url)
        self.app_arguments = list(app_arguments)
        self.room = room

    @property
    def command(self) -> str:
        """The command textual-serve runs for the tab whose websocket is being opened."""
        return shlex.join([sys.executable, "-m", "simulator", "app", *self.app_arguments, *_tab_arguments.get()])

    @command.setter
    def command(self, value: str) -> None:
        pass  # textual-serve's __init__ sets one command for all tabs; ours is made per tab above

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._offline_page)
        if self.room is not None:
            app.middlewares.append(self._room_guard)
        return app

    @web.middleware
    async def _offline_page(self, request: web.Request, handler):
        response = await handler(request)
        if request.path == "/" and isinstance(response, web.Response) and response.text:
            response.text = OUTSIDE_FONT.sub("", response.text).replace("</head>", LOCAL_FONT + "</head>", 1)
        return response

    @web.middleware
    async def _room_guard(self, request: web.Request, handler):
        room = self.room
        if request.path.startswith("/static/"):
            return await handler(request)
        if not _matches(request.query.get("room") or request.cookies.get(ROOM_COOKIE), room.code):
            return web.Response(status=403, text=REFUSED)
        leader = _matches(request.query.get("leader") or request.cookies.get(LEADER_COOKIE), room.leader_code)
        seat_id = request.cookies.get(SEAT_COOKIE, "")
        known_seat = valid_seat_id(seat_id) and room.room.seat(seat_id).transcripts.is_dir()
        new_seat = None
        if not known_seat:
            if request.path != "/":
                return web.Response(status=403, text=REFUSED)
            new_seat = room.room.new_seat()
            seat_id = new_seat.id
        seat = room.room.seat(seat_id)
        arguments = ["--transcripts", str(seat.transcripts), "--room-seat", str(seat.folder)]
        if leader:
            arguments += ["--room-leader", str(room.room.folder)]
        token = _tab_arguments.set(tuple(arguments))
        try:
            response = await handler(request)
        finally:
            _tab_arguments.reset(token)
        if request.path == "/" and isinstance(response, web.Response):
            cookie = {"httponly": True, "samesite": "Strict", "path": "/"}
            response.set_cookie(ROOM_COOKIE, room.code, **cookie)
            if new_seat is not None:
                response.set_cookie(SEAT_COOKIE, new_seat.id, **cookie)
            if leader:
                response.set_cookie(LEADER_COOKIE, room.leader_code, **cookie)
        return response


def serve(app_arguments: list[str], host: str, port: int, public_url: str | None = None,
          room: RoomAccess | None = None) -> None:
    RehearseServer(app_arguments, host, port, public_url, room).serve()
