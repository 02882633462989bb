"""The workshop leader's view of a room: who is in it, in which session, with what scores so far,
and the group's reports in one export."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from simulator.domain import EMPATHY_MAX
from simulator.errors import RehearseError

COLUMNS = ("participant", "now", "turns", "sessions", "last empathy", "grade", "average")
REFRESH_SECONDS = 3.0


def seat_cells(name: str, rows: list[dict], names: dict[str, str]) -> tuple:
    """One participant's line: the session under way (or the last one) and the scores so far."""
    rows = sorted(rows, key=lambda row: row["started_at"])
    ended = [row for row in rows if row.get("empathy_total") is not None]
    current = next((row for row in reversed(rows) if row["status"] == "in progress"), None)
    shown = current or (rows[-1] if rows else None)
    if shown is None:
        now = "—"
    else:
        persona = names.get(shown["persona_id"], shown["persona_id"])
        now = f"with {persona}" if current else f"{persona} ({shown['status']})"
    last = ended[-1] if ended else None
    average = (f"{sum(row['empathy_total'] for row in ended) / len(ended):.1f}/{EMPATHY_MAX}" if ended else "—")
    return (Text(name), Text(now), str(shown["turns"]) if shown else "—", str(len(ended)),
            f"{last['empathy_total']}/{EMPATHY_MAX}" if last else "—", (last or {}).get("grade") or "—", average)


class RoomScreen(Screen[None]):
    HELP = """The room as it is now: each participant's session under way (or the last one), its turns,
and their empathy scores so far. It refreshes by itself. Ctrl+E writes an HTML report of every
finished session into the room's reports folder."""
    BINDINGS = [
        Binding("ctrl+e", "export", "Export the group's reports", priority=True),
        Binding("escape", "app.pop_screen", "My own practice"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="room", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Workshop room"
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.refresh_room()
        self.set_interval(REFRESH_SECONDS, self.refresh_room)

    @work(thread=True, exclusive=True, group="room")
    def refresh_room(self) -> None:
        names = {p.id: p.profile.name for p in self.app.context.personas}
        lines = []
        for seat in self.app.room.seats():
            if not seat.name:
                continue  # a tab that has not said who it is yet
            try:
                rows = seat.store().history().rows
            except RehearseError:
                rows = []
            lines.append(seat_cells(seat.name, rows, names))
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[tuple]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for line in lines:
            table.add_row(*line)
        count = len(lines)
        self.sub_title = f"{count} participant{'s' if count != 1 else ''}"

    def action_export(self) -> None:
        try:
            written = self.app.context.export_room_reports(self.app.room)
        except RehearseError as error:
            self.notify(str(error), title="Cannot export", severity="error", timeout=15)
            return
        self.query_one("#status", Static).update(
            f"{len(written)} report{'s' if len(written) != 1 else ''} and index.html written to "
            f"{self.app.room.reports}")
