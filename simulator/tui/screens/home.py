"""Home: the persona gallery (type to filter), recent sessions, progress so far, and model status."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from simulator.domain import EMPATHY_MAX, PersonaProfile
from simulator.errors import RehearseError

RECENT = 5


def _first_sentence(text: str) -> str:
    sentence = text.split(". ")[0].strip()
    return sentence if sentence.endswith(".") else sentence + "."


def persona_option(profile: PersonaProfile) -> Option:
    label = Text()
    label.append(f"{profile.name}, {profile.age}", style="bold")
    label.append(f" — {profile.archetype.label} · difficulty {profile.difficulty}/5\n")
    label.append(f"  {_first_sentence(profile.situation)}", style="dim")
    return Option(label, id=profile.id)


def matches(profile: PersonaProfile, query: str) -> bool:
    haystack = " ".join([profile.name, profile.archetype.value, profile.archetype.label, profile.situation,
                         *profile.tags]).lower()
    return all(word in haystack for word in query.lower().split())


def progress_text(rows: list[dict]) -> Text:
    ended = [row for row in rows if row.get("empathy_total") is not None]
    text = Text()
    text.append("Progress\n", style="bold")
    if not ended:
        text.append("No finished sessions yet.")
        return text
    average = sum(row["empathy_total"] for row in ended) / len(ended)
    passes = sum(1 for row in ended if row["grade"] in ("A", "B"))
    text.append(f"{len(ended)} session{'s' if len(ended) != 1 else ''} · average empathy "
                f"{average:.1f}/{EMPATHY_MAX}\n")
    text.append(f"{passes} passing grade{'s' if passes != 1 else ''}")
    gaps = [row["calibration_gap"] for row in ended if row.get("calibration_gap") is not None]
    if gaps:
        text.append(f"\nYou overrate yourself by {sum(gaps) / len(gaps):+.1f} on average")
    return text


def recent_text(rows: list[dict], names: dict[str, str]) -> Text:
    text = Text()
    text.append("Recent sessions\n", style="bold")
    latest = sorted(rows, key=lambda row: row["started_at"], reverse=True)[:RECENT]
    if not latest:
        text.append("None yet.")
    for row in latest:
        score = f"{row['empathy_total']}/{EMPATHY_MAX} {row['grade']}" if row.get("grade") else "unfinished"
        text.append(f"{row['started_at'][:10]} {names.get(row['persona_id'], row['persona_id'])}: {score}\n")
    return text


class HomeScreen(Screen[None]):
    HELP = """Pick a client to practise with: ↑/↓ and Enter, or type to filter by name, type or tag. Each
client hides feelings you will only see in the debrief. w sets up a workshop, where several trainees
take the hot seat in turn; h shows your history and progress; r resumes a session left unfinished."""

    # Priority for Enter: it starts the highlighted client from the list and from the filter box alike.
    BINDINGS = [
        Binding("enter", "start", "Start", priority=True),
        Binding("r", "resume", "Resume"),
        Binding("w", "workshop", "Workshop"),
        Binding("h", "history", "History"),
        Binding("i", "install_model", "Install model"),
        Binding("q", "app.quit", "Quit"),
    ]

    _name_begun = False
    """A name has begun in the filter, and the focus is on its way there."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="model-status")
        yield ProgressBar(id="install-progress", show_eta=False)
        with Horizontal(id="home-body"):
            with Vertical(id="gallery"):
                yield Input(placeholder="Type to filter clients (name, type, tag)…", id="filter",
                            select_on_focus=False)
                yield OptionList(id="personas")
            with Vertical(id="sidebar"):
                yield Static(progress_text([]), id="progress")
                yield Static(recent_text([], {}), id="recent")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        library = self.app.context.personas
        self._show_personas("")
        self.query_one("#install-progress").display = False
        self.query_one("#personas", OptionList).focus()
        for warning in library.warnings:
            self.notify(warning, title="Persona skipped", severity="warning", timeout=10)
        self._show_model_status()
        self.load_history()

    # --- gallery ---------------------------------------------------------------------------

    def _show_personas(self, query: str) -> None:
        options = self.query_one("#personas", OptionList)
        options.clear_options()
        options.add_options([persona_option(p.profile) for p in self.app.context.personas if matches(p.profile, query)])
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._show_personas(event.value)
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return self.resumable is not None
        if action == "install_model":
            return bool(getattr(self, "needs_install", False))
        if action == "start":
            return self.query_one("#personas", OptionList).option_count > 0 or None
        return True

    def action_start(self) -> None:
        options = self.query_one("#personas", OptionList)
        if options.option_count:
            option = options.get_option_at_index(options.highlighted or 0)
            self._begin(option.id)

    def on_key(self, event) -> None:
        """Typing on the gallery starts filtering, so a name can be typed straight away; the letters
        of the screen's keys act instead, while their action is on offer. Once a name has begun, every
        letter is the name's until the filter has the focus: a terminal hands a fast typist's letters
        over together, and the "h" of "Keisha" must not open History."""
        options = self.query_one("#personas", OptionList)
        typed = event.character
        acting = {"q": True, "w": True, "h": True, "r": self.resumable is not None,
                  "i": bool(getattr(self, "needs_install", False))}
        if self.focused is not options or not typed:
            return
        if self._name_begun and typed.isprintable() or typed.isalnum() and not acting.get(typed, False):
            search = self.query_one("#filter", Input)
            search.focus()
            search.insert_text_at_cursor(typed)
            self._name_begun = True
            event.stop()
            event.prevent_default()

    def on_descendant_focus(self, event) -> None:
        self._name_begun = False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._begin(event.option.id)

    def _begin(self, persona_id: str) -> None:
        if not self.app.begin_session(persona_id):
            self.query_one("#status", Static).update("Cannot start the session: see the message.")

    def action_history(self) -> None:
        self.app.open_history()

    @property
    def resumable(self) -> str | None:
        """The session r resumes: one stepped out of in this run, else the latest interrupted one."""
        left = list(self.app.left_sessions)
        return left[-1] if left else getattr(self, "interrupted", None)

    def action_resume(self) -> None:
        if self.resumable:
            self.app.open_saved_session(self.resumable)

    def action_workshop(self) -> None:
        from simulator.tui.screens.workshop_setup import LEAVE_WORKSHOP, WorkshopSetupScreen

        def chosen(seat) -> None:
            if seat is None:
                return  # cancelled: nothing changes
            if seat is LEAVE_WORKSHOP:
                self.app.hot_seat = None
                self.sub_title = ""
                self.notify("Workshop mode is off: sessions are solo again.", timeout=5)
                return
            self.app.hot_seat = seat
            self.sub_title = f"workshop: {', '.join(seat.roster)}"
            self.notify(f"Workshop with {', '.join(seat.roster)}. Now pick a client.", timeout=5)

        self.app.push_screen(WorkshopSetupScreen(self.app.hot_seat), chosen)

    # --- history and progress ----------------------------------------------------------------

    def on_screen_resume(self) -> None:
        self.load_history()

    @work(thread=True, exclusive=True, group="history")
    def load_history(self) -> None:
        try:
            history = self.app.context.store.history()
        except RehearseError as error:
            self.app.call_from_thread(self.query_one("#recent", Static).update, f"History unavailable: {error}")
            return
        names = {p.id: p.profile.name for p in self.app.context.personas}
        left = set(self.app.left_sessions)
        interrupted = sorted((row for row in history.rows if row.get("status") == "interrupted" or row["id"] in left),
                             key=lambda row: row["started_at"], reverse=True)
        self.interrupted = interrupted[0]["id"] if interrupted else None
        status = ""
        if self.resumable:
            row = next((r for r in history.rows if r["id"] == self.resumable), None)
            if row is not None:
                status = (f"A session with {names.get(row['persona_id'], row['persona_id'])} was left unfinished on "
                          f"{row['started_at'][:16].replace('T', ' ')}. Press r to resume it.")
        self.app.call_from_thread(self.query_one("#status", Static).update, status)
        self.app.call_from_thread(self.refresh_bindings)
        self.app.call_from_thread(self.query_one("#progress", Static).update, progress_text(history.rows))
        self.app.call_from_thread(self.query_one("#recent", Static).update, recent_text(history.rows, names))

    # --- the model -----------------------------------------------------------------------------

    def _show_model_status(self) -> None:
        statuses = self.app.context.backend_statuses()

        def describe(status) -> str:
            where = "local llama.cpp" if status.backend == "embedded" else status.where
            return f"{where} · {status.model} · {'ready' if status.ready else status.problem}"

        client, rater = (describe(status) for status in statuses)
        text = f"Model: {client}" if client == rater else f"Client: {client}\nRater: {rater}"
        self.query_one("#model-status", Static).update(text)
        self.needs_install = any(not s.ready and s.backend == "embedded" for s in statuses)
        self.refresh_bindings()

    def action_install_model(self) -> None:
        if getattr(self, "needs_install", False):
            self.install_model()

    @work(thread=True, exclusive=True, group="install")
    def install_model(self) -> None:
        bar = self.query_one("#install-progress", ProgressBar)
        status = self.query_one("#model-status", Static)

        def progress(done: int, total: int, stage: str) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)
            self.app.call_from_thread(status.update, f"Installing the local model: {stage}…")

        self.app.call_from_thread(setattr, bar, "display", True)
        try:
            self.app.context.install_model(progress)
        except RehearseError as error:
            self.app.call_from_thread(status.update, f"Install failed: {error}")
            return
        finally:
            self.app.call_from_thread(setattr, bar, "display", False)
        self.app.call_from_thread(self._show_model_status)
