"""A workshop room's screens in the app: the tab asks whose seat it is, and the leader's view shows
each named participant's session and scores and exports the group's reports."""

from __future__ import annotations

from simulator.storage.room import Room
from simulator.tui.app import RehearseApp
from simulator.tui.screens.home import HomeScreen
from simulator.tui.screens.room import RoomScreen
from simulator.tui.screens.seat_name import SeatNameScreen
from tests.test_history import make_session
from tests.tui.helpers import screen_text


async def test_a_seat_asks_for_a_name_first_and_every_session_carries_it(server, context_for, isolated_env):
    room = Room.create(isolated_env / "transcripts")
    seat = room.new_seat()
    context = context_for(server)
    app = RehearseApp(context, seat=seat)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SeatNameScreen)
        await pilot.press("space", "enter")  # a blank name is refused, with a reason
        await pilot.pause()
        assert isinstance(app.screen, SeatNameScreen) and "A name, please" in screen_text(pilot)
        await pilot.press("ctrl+u", *"Ana\x07Li".replace("\x07", " "), "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert seat.name == "Ana Li" and "workshop room · Ana Li" in screen_text(pilot)
        engine = context.begin_session("dana-yes-but")
        assert engine.session.trainee == "Ana Li"

    again = RehearseApp(context_for(server), seat=seat)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.screen.query_one("#seat-name").value == "Ana Li"  # the tab reopened: Enter goes in


async def test_the_leaders_view_lists_named_participants_and_exports_their_finished_sessions(
        server, context_for, isolated_env):
    room = Room.create(isolated_env / "transcripts")
    ana, ben, unnamed, leader = (room.new_seat() for _ in range(4))
    ana.set_name("Ana")
    ben.set_name("Ben")
    anas_tab = ana.store()  # stays open: her session with Dana is under way
    anas_tab.save(make_session(3, persona="marcus-hostile", trainee="Ana"))
    anas_tab.save(make_session(4, persona="dana-yes-but", trainee="Ana", ended=False))
    anas_tab.release(make_session(3, persona="marcus-hostile").id)
    bens_tab = ben.store()
    bens_tab.save(make_session(5, persona="lena-silent", trainee="Ben"))
    bens_tab.close()

    app = RehearseApp(context_for(server), seat=leader, room=room)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"Lee", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, RoomScreen)
        shown = screen_text(pilot)
        lines = {line.split()[0]: line for line in shown.splitlines() if line.split()[:1] in (["Ana"], ["Ben"])}
        assert "with Dana Whitfield" in lines["Ana"] and "16/20" in lines["Ana"]
        assert "Lena Kovač (ended)" in lines["Ben"]
        assert "3 participants" in shown  # Ana, Ben and the leader; the tab with no name is not listed
        await pilot.press("ctrl+e")
        await pilot.pause()
        reports = sorted(path.name for path in room.reports.iterdir() if path.name != "index.html")
        assert len(reports) == 2 and reports[0].startswith("ana-") and reports[1].startswith("ben-")
        assert "2 reports and index.html written" in screen_text(pilot)
        index = (room.reports / "index.html").read_text(encoding="utf-8")
        assert index.index("Ana") < index.index("Marcus Reid") < index.index("Ben") < index.index("Lena Kovač")
        assert all(f'href="{name}"' in index for name in reports) and "16/20" in index
        assert "<script" not in index and "http" not in index.replace("http-equiv", "")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # the leader's own practice
    anas_tab.close()
