"""History and progress: every saved session (filter as you type), empathy and calibration over
time, and a way to open or export any session."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from simulator.domain import EMPATHY_MAX, EMPATHY_PASS_AT
from simulator.errors import RehearseError
from simulator.storage.search import session_text
from simulator.tui.widgets.trust_chart import render_chart

COLUMNS = ("date", "client", "trainee", "turns", "empathy", "grade", "gap", "status")
CHART_SESSIONS = 12


def short_date(started_at: str, one_year: bool) -> str:
    """"6 Nov 09:00" while every session is from one year, else "2025-11-06": short enough for
    every column to fit in 80 columns."""
    when = datetime.fromisoformat(started_at)
    return f"{when.day} {when:%b %H:%M}" if one_year else f"{when:%Y-%m-%d}"


def row_cells(row: dict, names: dict[str, str], one_year: bool = True) -> tuple[str, ...]:
    empathy = f"{row['empathy_total']}/{EMPATHY_MAX}" if row.get("empathy_total") is not None else "—"
    gap = f"{row['calibration_gap']:+d}" if row.get("calibration_gap") is not None else "—"
    trainee = row.get("trainee") or ", ".join(row.get("group") or []) or "—"
    return (short_date(row["started_at"], one_year), names.get(row["persona_id"], row["persona_id"]), trainee,
            str(row["turns"]), empathy, row.get("grade") or "—", gap, row["status"])


def progress_charts(rows: list[dict]) -> Text:
    """Empathy of the last finished sessions, oldest first, and how far each prediction was off."""
    ended = sorted((r for r in rows if r.get("empathy_total") is not None), key=lambda r: r["started_at"])
    recent = ended[-CHART_SESSIONS:]
    first = len(ended) - len(recent) + 1
    text = Text()
    text.append(f"Empathy per session (out of {EMPATHY_MAX}; {EMPATHY_PASS_AT} or more passes)\n", style="bold")
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
    HELP = """Every saved session, newest first. Type to filter: by client or trainee, and by anything
said or written in the session. Enter opens a session (its debrief, or it resumes if unfinished).
Letters always go into the filter; the actions are on other keys."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+e", "export", "Export HTML", priority=True),
        Binding("delete", "delete", "Delete"),
        Binding("slash", "filter", "Filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.texts: dict[str, str] = {}
        self.one_year = True
        """Every session listed is from one year, so the date column leaves the year out."""
        """Each session's whole text, casefolded, for the filter; filled in after the list shows."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-body"):
            with Vertical(id="history-list"):
                yield Input(placeholder="Filter: client, trainee, or words said…", id="history-filter",
                            select_on_focus=False)
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static("", id="charts")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "History and progress"
        table = self.query_one("#sessions", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        store = self.app.context.store
        history = store.history()
        self.app.call_from_thread(self._show, history.rows, history.problems)
        texts = {}
        for row in history.rows:
            try:
                texts[row["id"]] = session_text(store.load(row["id"])).casefold()
            except RehearseError:
                continue  # damaged since it was listed: the listing says so
        self.app.call_from_thread(self._texts_read, texts)

    def _texts_read(self, texts: dict[str, str]) -> None:
        self.texts = texts
        query = self.query_one("#history-filter", Input).value
        if query.strip():
            self._fill(query)

    def _names(self) -> dict[str, str]:
        return {p.id: p.profile.name for p in self.app.context.personas}

    def _show(self, rows: list[dict], problems: list[str]) -> None:
        self.rows = rows
        self.one_year = len({row["started_at"][:4] for row in rows}) <= 1
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
            cells = row_cells(row, names, self.one_year)
            named = " ".join((cells[1], cells[2], row["persona_id"])).casefold()
            said = self.texts.get(row["id"], "")
            if all(word in named or word in said for word in wanted):
                table.add_row(*cells, key=row["id"])

    def on_key(self, event) -> None:
        """Typing on the table starts filtering, as on the home screen; no letter is an action here."""
        typed = event.character
        if self.focused in (None, self.query_one("#sessions", DataTable)) and typed and typed.isalnum():
            search = self.query_one("#history-filter", Input)
            search.focus()
            search.insert_text_at_cursor(typed)
            event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#sessions", DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

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
        row = next(r for r in self.rows if r["id"] == session_id)
        if session_id in self.app.left_sessions:
            self.app.open_saved_session(session_id)
            return
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
        self.app.show_debrief(engine, engine.branch.form)

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

    def action_delete(self) -> None:
        from simulator.tui.screens.confirm import ConfirmScreen

        session_id = self._selected()
        if session_id is None:
            return
        row = next(r for r in self.rows if r["id"] == session_id)
        if row["status"] == "in progress" and session_id not in self.app.left_sessions:
            self.notify("That session is open in another Rehearse window.", severity="warning", timeout=5)
            return
        cells = row_cells(row, self._names(), self.one_year)

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(session_id)

        self.app.push_screen(ConfirmScreen(Text(f"Delete the session with {cells[1]} of {cells[0]} ({row['turns']} "
                                                f"turns), every attempt in it, for good?")), answered)

    def _delete(self, session_id: str) -> None:
        self.app.forget_left_session(session_id)
        try:
            path = self.app.context.store.delete(session_id)
        except RehearseError as error:
            self.notify(str(error), title="Not deleted", severity="error", timeout=15)
            return
        self.rows = [row for row in self.rows if row["id"] != session_id]
        self.texts.pop(session_id, None)
        self._fill(self.query_one("#history-filter", Input).value)
        self.query_one("#charts", Static).update(progress_charts(self.rows))
        self.query_one("#status", Static).update(f"Deleted {path}")
