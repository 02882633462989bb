"""History and progress: every saved session (filter as you type), empathy and calibration over
time, and a way to open or export any session."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from simulator.domain import EMPATHY_MAX
from simulator.errors import RehearseError
from simulator.tui.widgets.trust_chart import render_chart

COLUMNS = ("date", "client", "trainee", "lines", "empathy", "grade", "gap", "status")
CHART_SESSIONS = 12


def row_cells(row: dict, names: dict[str, str]) -> tuple[str, ...]:
    empathy = f"{row['empathy_total']}/{EMPATHY_MAX}" if row.get("empathy_total") is not None else "—"
    gap = f"{row['calibration_gap']:+d}" if row.get("calibration_gap") is not None else "—"
    trainee = row.get("trainee") or ", ".join(row.get("group") or []) or "—"
    return (row["started_at"][:16].replace("T", " "), names.get(row["persona_id"], row["persona_id"]), trainee,
            str(row["turns"]), empathy, row.get("grade") or "—", gap, row["status"])


def progress_charts(rows: list[dict]) -> Text:
    """Empathy of the last finished sessions, oldest first, and how far each prediction was off."""
    ended = sorted((r for r in rows if r.get("empathy_total") is not None), key=lambda r: r["started_at"])
    recent = ended[-CHART_SESSIONS:]
    first = len(ended) - len(recent) + 1
    text = Text()
    text.append("Empathy per session (out of 20; 19 passes)\n", style="bold")
    text.append_text(render_chart([(first + i, r["empathy_total"]) for i, r in enumerate(recent)], high=EMPATHY_MAX,
                                  x_name="no.", y_name="score", note="", empty="No finished sessions yet."))
    gaps = [(first + i, r["calibration_gap"]) for i, r in enumerate(recent) if r.get("calibration_gap") is not None]
    text.append("\n\nCalibration: predicted minus actual empathy\n", style="bold")
    if gaps:
        text.append("  ".join(f"no.{n}: {gap:+d}" for n, gap in gaps))
        text.append(f"\naverage {sum(g for _, g in gaps) / len(gaps):+.1f} (0 is perfect; above 0 you overrate yourself)")
    else:
        text.append("No predictions yet.")
    return text


class HistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("e", "export", "Export HTML report"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-body"):
            with Vertical(id="history-list"):
                yield Input(placeholder="Filter by client or trainee…", id="history-filter")
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static("", id="charts")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "History and progress"
        self.query_one("#sessions", DataTable).add_columns(*COLUMNS)
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        history = self.app.context.store.history()
        self.app.call_from_thread(self._show, history.rows, history.problems)

    def _names(self) -> dict[str, str]:
        return {p.id: p.profile.name for p in self.app.context.personas}

    def _show(self, rows: list[dict], problems: list[str]) -> None:
        self.rows = rows
        self._fill(self.query_one("#history-filter", Input).value)
        self.query_one("#charts", Static).update(progress_charts(rows))
        if problems:
            self.query_one("#status", Static).update(f"Skipped: {problems[0]}" +
                                                     (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        self.query_one("#sessions", DataTable).focus()

    def _fill(self, query: str) -> None:
        table = self.query_one("#sessions", DataTable)
        table.clear()
        names = self._names()
        wanted = query.casefold().split()
        for row in self.rows:
            cells = row_cells(row, names)
            if all(any(word in cell.casefold() for cell in (cells[1], cells[2], row["persona_id"])) for word in wanted):
                table.add_row(*cells, key=row["id"])

    def on_key(self, event) -> None:
        """Typing on the table starts filtering, as on the home screen."""
        typed = event.character
        if self.focused is self.query_one("#sessions", DataTable) and typed and typed.isalnum() and typed != "e":
            search = self.query_one("#history-filter", Input)
            search.focus()
            search.insert_text_at_cursor(typed)
            event.stop()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _selected(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open(event.row_key.value)

    def open(self, session_id: str) -> None:
        from simulator.tui.screens.debrief import DebriefScreen

        row = next(r for r in self.rows if r["id"] == session_id)
        if row["status"] == "in progress":
            self.notify("That session is open in another Rehearse window.", severity="warning", timeout=5)
            return
        if row["status"] == "interrupted":
            self.app.open_saved_session(session_id)
            return
        try:
            engine = self.app.context.open_session(session_id)
        except RehearseError as error:
            self.notify(str(error), title="Cannot open the session", severity="error", timeout=15)
            return
        self.app.push_screen(DebriefScreen(engine, engine.branch.form))

    def action_export(self) -> None:
        session_id = self._selected()
        if session_id is None:
            return
        try:
            path = self.app.context.export_report(session_id)
        except RehearseError as error:
            self.notify(str(error), title="Cannot export", severity="error", timeout=15)
            return
        self.query_one("#status", Static).update(f"Report written to {path} — it opens offline in any browser.")
