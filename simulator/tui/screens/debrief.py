"""Debrief: the client's form and how it compares with your prediction, the hidden feelings revealed
with the lines that reached them, the trust curve, and the best and worst moments — with a way to
try the worst one again."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from simulator.domain import (
    EMPATHY_MAX,
    EMPATHY_PASS_AT,
    SESSION_AT_RISK_AT,
    SESSION_MAX,
    ClientForm,
    Speaker,
    Touch,
)
from simulator.engine import hidden_state
from simulator.engine.session import SessionEngine
from simulator.rating.calibration import calibrate
from simulator.engine.workshop import HotSeat
from simulator.outcomes import feelings_reached, trust_curve
from simulator.rating.debrief import Moment, best_and_worst
from simulator.rating.trust import trust_note
from simulator.rating.workshop_results import PersonResult, person_results
from simulator.tui.flow import Retry
from simulator.tui.widgets.score_line import bar
from simulator.tui.widgets.trust_chart import TrustChart


def form_rows(form: ClientForm, prediction) -> Text:
    """Each item: the client's score as a bar, your prediction, and the gap."""
    text = Text()
    if prediction is None:
        for gap_item, score in _scores(form):
            text.append(f"{score:>2}/{gap_item.high:<2} {bar(score, gap_item.high)}  {gap_item.wording}\n")
        return text
    text.append("client       you  gap\n", style="bold")
    for gap in calibrate(prediction, form).gaps:
        sign = f"{gap.gap:+d}" if gap.gap else " 0"
        text.append(f"{gap.actual:>2}/{gap.item.high:<2} {bar(gap.actual, gap.item.high, 12)} {gap.predicted:>3} {sign:>4}"
                    f"  {gap.item.wording}\n")
    return text


def _scores(form: ClientForm):
    from simulator.domain import EMPATHY_ITEMS, HELPFULNESS_ITEM, SESSION_ITEMS

    yield from ((item, form.empathy[item.key]) for item in EMPATHY_ITEMS)
    yield HELPFULNESS_ITEM, form.helpfulness
    yield from ((item, form.session[item.key]) for item in SESSION_ITEMS)


def people_rows(people: list[PersonResult]) -> Text:
    text = Text()
    text.append(f"{'who':<14} lines  understood  reached  traps  trust\n", style="bold")
    for person in people:
        text.append(f"{person.name[:14]:<14} {person.lines:>5}  {person.mean_understood:>8.1f}/4  "
                    f"{person.feelings_reached:>7}  {person.traps:>5}  {person.trust_change:+5.1f}\n")
    return text


def prediction_gap(gap: int) -> str:
    if gap == 0:
        return "you predicted your empathy score exactly"
    points = f"{abs(gap)} point{'s' if abs(gap) != 1 else ''}"
    return f"you {'overrated' if gap > 0 else 'underrated'} your empathy by {points}"


def moment_text(title: str, moment: Moment) -> Text:
    """A moment's heading line; its details go in a block of their own, indented as a whole, so a
    long line keeps its indent when it wraps."""
    text = Text()
    who = f"{moment.by}'s" if moment.by else "your"
    text.append(f"{title}: {who} line {moment.line} ", style="bold")
    text.append(f"(trust {moment.trust_change:+.1f}, felt understood {moment.appraisal.understood}/4)")
    return text


def moment_details(moment: Moment) -> Text:
    text = Text()
    text.append(f"You: “{moment.text}”")
    if moment.appraisal.traps:
        text.append("\nTraps: " + ", ".join(t.replace("_", " ") for t in moment.appraisal.traps))
    if moment.appraisal.inner_reaction:
        text.append(f"\nInside, the client thought: “{moment.appraisal.inner_reaction}”", style="italic")
    return text


class DebriefScreen(Screen[Retry]):
    """Dismissed with a Retry of the worst moment, or with nothing to go back."""

    HELP = """The client's own form, beside your prediction; the feelings the client had underneath, and
which of your lines reached them; trust over the session; your best and worst moments. t takes the
worst moment back to say it another way (this attempt is kept); in a workshop, a collects the
group's alternatives for it."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("t", "try_again", "Try the worst moment again"),
        Binding("a", "alternatives", "Group's alternatives"),
    ]

    def __init__(self, engine: SessionEngine, form: ClientForm, hot_seat: HotSeat | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.form = form
        self.hot_seat = hot_seat
        branch = engine.branch
        initial = engine.session.initial_state or hidden_state.initial_state(engine.persona)
        self.best, self.worst = best_and_worst(initial, branch.turns)
        self.curve = [(point.line, point.trust) for point in trust_curve(initial, branch.turns)]
        self.people = person_results(initial.trust, branch.turns) if hot_seat else []

    def compose(self) -> ComposeResult:
        form, branch, persona = self.form, self.engine.branch, self.engine.persona
        yield Header()
        with VerticalScroll(id="debrief"):
            verdict = "PASS" if form.passed else "FAIL"
            yield Static(f"Empathy {form.empathy_total}/{EMPATHY_MAX} — grade {form.grade} ({verdict}; "
                         f"{EMPATHY_PASS_AT} or more passes)", id="empathy-total", classes="verdict")
            risk = "AT RISK" if form.at_risk else "not at risk"
            yield Static(f"Session ratings {form.session_total}/{SESSION_MAX} — {risk} "
                         f"({SESSION_AT_RISK_AT} or less flags a session at risk)", id="session-total")
            if branch.prediction:
                calibration = calibrate(branch.prediction, form)
                yield Static(f"Your prediction: calibration {calibration.score}/100; "
                             f"{prediction_gap(calibration.empathy_gap)}", id="calibration", classes="form-heading")
            yield Static(form_rows(form, branch.prediction), id="form-rows")
            yield Static(trust_note(self.engine.session.rater_judge), id="judged-by", classes="hint")
            if self.people:
                yield Static("The form above is the team's. Each person's lines:", classes="form-heading")
                yield Static(people_rows(self.people), id="people")
            yield Static(Text(f"{persona.profile.name} wrote"), classes="form-heading")
            yield Static(Text(f"“{form.comment}”"), id="comment")
            if form.low_score_quotes:
                yield Static("Lines that cost you", classes="form-heading")
                for quote in form.low_score_quotes:
                    yield Static(Text(f"{quote.item}: “{quote.quote}”"), classes="quote")
            yield Static("What the client was feeling underneath", classes="form-heading")
            for reveal in feelings_reached(persona, branch.turns):
                reached = ", ".join(f"line {line} {touch.value}" for line, touch in reveal.lines) or "never reached"
                mark = {Touch.ACCURATELY: "✔", Touch.PARTLY: "~", Touch.NONE: "✘"}[reveal.best]
                with Vertical(classes="feeling"):
                    yield Static(Text.assemble(
                        (f"{mark} {reveal.feeling.feeling}", "bold"),
                        f" (intensity {reveal.feeling.intensity}/5; speakable at trust "
                        f"{reveal.feeling.voice_at_trust}) — {reached}"))
                    yield Static(Text(reveal.feeling.reason), classes="details")
            yield Static("Trust over the session (out of 10)", classes="form-heading")
            yield TrustChart(self.curve, id="trust-chart")
            for name, moment in (("best", self.best), ("worst", self.worst)):
                if moment:
                    with Vertical(id=f"{name}-moment", classes="moment"):
                        yield Static(moment_text(f"{name.title()} moment", moment))
                        yield Static(moment_details(moment), classes="details")
            if self.worst:
                group = " Press a to collect the group's alternatives for it." if self.hot_seat else ""
                yield Static("Press t to try the worst moment again: the session forks there, and this "
                             f"attempt is kept.{group}", classes="hint")
            others = [b for b in self.engine.session.branches if b.form and b is not branch]
            if others:
                yield Static("Other attempts in this session", classes="form-heading")
                for other in others:
                    lines = sum(1 for t in other.turns if t.speaker is Speaker.TRAINEE)
                    yield Static(f"{other.id}: empathy {other.form.empathy_total}/{EMPATHY_MAX}, grade "
                                 f"{other.form.grade}, {lines} lines", classes="branch")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Debrief: {self.engine.persona.profile.name}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "alternatives" and self.hot_seat is None:
            return False  # alternatives are the group's: a solo trainee retries instead
        if action in ("try_again", "alternatives") and self.worst is None:
            return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_alternatives(self) -> None:
        from simulator.tui.screens.alternatives import AlternativesScreen

        if self.worst is None:
            self.notify("There is no moment to work on yet.", timeout=3)
            return
        self.app.push_screen(AlternativesScreen(self.engine, self.worst.index))

    def action_try_again(self) -> None:
        if self.worst is None:
            self.notify("There is no moment to retry yet.", timeout=3)
            return
        self.dismiss(Retry(self.worst.line, self.worst.text))
