"""What a session report shows, worked out once for the Markdown and the HTML renderings."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import (
    EMPATHY_ITEMS,
    EMPATHY_MAX,
    HELPFULNESS_ITEM,
    SESSION_ITEMS,
    SESSION_MAX,
    Branch,
    ClientForm,
    FormItem,
    Persona,
    Prediction,
    Session,
    Speaker,
    TurnKind,
)
from simulator.outcomes import FeelingReached, TrustPoint, feelings_reached, trust_curve
from simulator.storage.summary import empathy_gap

CUT_OFF = "[cut off]"
SILENCE = "*waits in silence*"
ANONYMOUS = "Therapist"


@dataclass(frozen=True)
class Line:
    """One turn as shown: who, what, and the notes under it."""

    speaker: Speaker
    who: str
    text: str
    number: int | None
    """Trainee turns: the trainee's line number in the branch, from 1."""
    cut_off: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    item: FormItem
    score: int
    predicted: int | None


@dataclass(frozen=True)
class BranchReport:
    id: str
    title: str
    lines: tuple[Line, ...]
    form: ClientForm | None
    prediction: Prediction | None
    scores: tuple[Score, ...]
    trust: tuple[TrustPoint, ...]
    feelings: tuple[FeelingReached, ...]
    ended: bool

    @property
    def calibration_gap(self) -> int | None:
        if self.form and self.prediction:
            return empathy_gap(self.prediction.empathy, self.form.empathy)
        return None


@dataclass(frozen=True)
class Report:
    session: Session
    client: str
    trainee: str
    persona_line: str
    situation: str
    branches: tuple[BranchReport, ...]
    empathy_max: int = EMPATHY_MAX
    session_max: int = SESSION_MAX


def _lines(branch: Branch, start: int, client: str, trainee: str) -> tuple[Line, ...]:
    shown = []
    number = sum(1 for turn in branch.turns[:start] if turn.speaker is Speaker.TRAINEE)
    for turn in branch.turns[start:]:
        if turn.speaker is Speaker.CLIENT:
            notes = (turn.note,) if turn.note else ()
            shown.append(Line(turn.speaker, client, turn.text, None, not turn.complete, notes))
            continue
        number += 1
        notes = []
        if turn.off_task:
            notes.append("spoke to the simulator, not the client: moves no rating")
        if turn.appraisal:
            notes.append(f"felt understood {turn.appraisal.understood}/4 — “{turn.appraisal.inner_reaction}”")
        if turn.note:
            notes.append(turn.note)
        text = SILENCE if turn.kind is TurnKind.SILENCE else turn.text
        shown.append(Line(turn.speaker, turn.by or trainee, text, number, not turn.complete, tuple(notes)))
    return tuple(shown)


def _scores(form: ClientForm | None, prediction: Prediction | None) -> tuple[Score, ...]:
    if form is None:
        return ()
    scores = [Score(item, form.empathy[item.key], prediction.empathy.get(item.key) if prediction else None)
              for item in EMPATHY_ITEMS]
    scores.append(Score(HELPFULNESS_ITEM, form.helpfulness, prediction.helpfulness if prediction else None))
    scores += [Score(item, form.session[item.key], prediction.session.get(item.key) if prediction else None)
               for item in SESSION_ITEMS]
    return tuple(scores)


def _title(session: Session, branch: Branch) -> str:
    if branch.forked_from is None or branch.fork_turn is None:
        return "Transcript" if len(session.branches) == 1 else f"Transcript — branch {branch.id}"
    parent = session.branch(branch.forked_from)
    line = sum(1 for turn in parent.turns[: branch.fork_turn] if turn.speaker is Speaker.TRAINEE) + 1
    return f"Retry — branch {branch.id}, line {line} of {branch.forked_from} said differently"


def build_report(session: Session, persona: Persona | None) -> Report:
    client = persona.profile.name if persona else session.persona_id
    trainee = session.trainee or ANONYMOUS
    branches = []
    for branch in session.branches:
        start = branch.fork_turn if branch.forked_from is not None and branch.fork_turn is not None else 0
        branches.append(BranchReport(
            id=branch.id,
            title=_title(session, branch),
            lines=_lines(branch, start, client, trainee),
            form=branch.form,
            prediction=branch.prediction,
            scores=_scores(branch.form, branch.prediction),
            trust=tuple(trust_curve(session.initial_state, branch.turns)),
            feelings=tuple(feelings_reached(persona, branch.turns)) if persona else (),
            ended=branch.ended,
        ))
    persona_line = (f"{persona.profile.name} ({session.persona_id}) — {persona.profile.archetype.label}, "
                    f"difficulty {persona.profile.difficulty}/5") if persona else f"{session.persona_id} (persona not found)"
    return Report(session, client, trainee, persona_line, persona.profile.situation if persona else "",
                  tuple(branches))
