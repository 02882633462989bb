"""Sessions and forms to and from plain JSON data: one shape for storage, exports and `--json` output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.domain import (
    Appraisal,
    Branch,
    ClientForm,
    HiddenState,
    LowScoreQuote,
    Prediction,
    Session,
    Speaker,
    Touch,
    Turn,
    TurnKind,
)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def appraisal_to_dict(appraisal: Appraisal) -> dict[str, Any]:
    return {
        "feelings": {name: touch.value for name, touch in appraisal.feelings.items()},
        "epitome": dict(appraisal.epitome),
        "skills": list(appraisal.skills),
        "traps": list(appraisal.traps),
        "understood": appraisal.understood,
        "inner_reaction": appraisal.inner_reaction,
    }


def appraisal_from_dict(data: dict[str, Any]) -> Appraisal:
    return Appraisal(
        feelings={name: Touch(value) for name, value in data["feelings"].items()},
        epitome=dict(data["epitome"]),
        skills=tuple(data["skills"]),
        traps=tuple(data["traps"]),
        understood=data["understood"],
        inner_reaction=data["inner_reaction"],
    )


def state_to_dict(state: HiddenState) -> dict[str, Any]:
    return {
        "trust": round(state.trust, 2),
        "resistance": round(state.resistance, 2),
        "understood": {name: touch.value for name, touch in state.understood.items()},
    }


def state_from_dict(data: dict[str, Any]) -> HiddenState:
    return HiddenState(
        trust=data["trust"],
        resistance=data["resistance"],
        understood={name: Touch(value) for name, value in data.get("understood", {}).items()},
    )


def turn_to_dict(turn: Turn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "speaker": turn.speaker.value,
        "text": turn.text,
        "at": _time(turn.at),
        "complete": turn.complete,
        "kind": turn.kind.value,
    }
    if turn.appraisal:
        data["appraisal"] = appraisal_to_dict(turn.appraisal)
    if turn.state_after:
        data["state_after"] = state_to_dict(turn.state_after)
    if turn.note:
        data["note"] = turn.note
    if turn.off_task:
        data["off_task"] = True
    if turn.by:
        data["by"] = turn.by
    return data


def turn_from_dict(data: dict[str, Any]) -> Turn:
    return Turn(
        speaker=Speaker(data["speaker"]),
        text=data["text"],
        at=_parse_time(data.get("at")) or datetime.min,
        complete=data.get("complete", True),
        kind=TurnKind(data.get("kind", TurnKind.SPEECH.value)),
        appraisal=appraisal_from_dict(data["appraisal"]) if data.get("appraisal") else None,
        state_after=state_from_dict(data["state_after"]) if data.get("state_after") else None,
        note=data.get("note", ""),
        off_task=data.get("off_task", False),
        by=data.get("by", ""),
    )


def form_to_dict(form: ClientForm) -> dict[str, Any]:
    return {
        "empathy": dict(form.empathy),
        "empathy_total": form.empathy_total,
        "grade": form.grade,
        "passed": form.passed,
        "helpfulness": form.helpfulness,
        "session": dict(form.session),
        "session_total": form.session_total,
        "at_risk": form.at_risk,
        "comment": form.comment,
        "low_score_quotes": [{"item": q.item, "quote": q.quote} for q in form.low_score_quotes],
    }


def form_from_dict(data: dict[str, Any]) -> ClientForm:
    return ClientForm(
        empathy=dict(data["empathy"]),
        helpfulness=data["helpfulness"],
        session=dict(data["session"]),
        comment=data.get("comment", ""),
        low_score_quotes=tuple(LowScoreQuote(q["item"], q["quote"]) for q in data.get("low_score_quotes", [])),
    )


def prediction_to_dict(prediction: Prediction) -> dict[str, Any]:
    return {"empathy": dict(prediction.empathy), "helpfulness": prediction.helpfulness,
            "session": dict(prediction.session)}


def prediction_from_dict(data: dict[str, Any]) -> Prediction:
    return Prediction(empathy=dict(data["empathy"]), helpfulness=data["helpfulness"], session=dict(data["session"]))


def trajectory(turns: list[Turn]) -> list[dict[str, Any]]:
    """The hidden state after each appraised trainee turn, with the turn's index."""
    return [
        {"turn": index, **state_to_dict(turn.state_after)}
        for index, turn in enumerate(turns)
        if turn.speaker is Speaker.TRAINEE and turn.state_after
    ]


def _branch_record(branch: Branch) -> dict[str, Any]:
    return {
        "id": branch.id,
        "forked_from": branch.forked_from,
        "fork_turn": branch.fork_turn,
        "ended_at": _time(branch.ended_at),
        "turns": [turn_to_dict(turn) for turn in branch.turns],
        "form": form_to_dict(branch.form) if branch.form else None,
        "prediction": prediction_to_dict(branch.prediction) if branch.prediction else None,
    }


def branch_to_dict(branch: Branch) -> dict[str, Any]:
    data = _branch_record(branch)
    return {**{key: data[key] for key in ("id", "forked_from", "fork_turn", "ended_at", "turns")},
            "trajectory": trajectory(branch.turns), "form": data["form"], "prediction": data["prediction"]}


def branch_from_dict(data: dict[str, Any]) -> Branch:
    return Branch(
        id=data["id"],
        forked_from=data.get("forked_from"),
        fork_turn=data.get("fork_turn"),
        ended_at=_parse_time(data.get("ended_at")),
        turns=[turn_from_dict(turn) for turn in data.get("turns", [])],
        form=form_from_dict(data["form"]) if data.get("form") else None,
        prediction=prediction_from_dict(data["prediction"]) if data.get("prediction") else None,
    )


def session_to_dict(session: Session) -> dict[str, Any]:
    """The whole session. The active branch's turns, form and trajectory also sit at the top level."""
    branches = [branch_to_dict(branch) for branch in session.branches]
    active = branches[[branch.id for branch in session.branches].index(session.active)]
    return {
        "id": session.id,
        "persona_id": session.persona_id,
        "trainee": session.trainee,
        "started_at": _time(session.started_at),
        "ended_at": active["ended_at"],
        "client_model": session.client_model,
        "rater_model": session.rater_model,
        "rater_judge": session.rater_judge,
        "initial_state": state_to_dict(session.initial_state) if session.initial_state else None,
        "active_branch": session.active,
        "turns": active["turns"],
        "trajectory": active["trajectory"],
        "form": active["form"],
        "prediction": active["prediction"],
        "branches": branches,
    }


ACTIVE_BRANCH_VIEW = ("ended_at", "turns", "trajectory", "form", "prediction")
"""Top-level keys of `session_to_dict` that repeat the active branch (the stored record leaves them out)."""


def session_to_record(session: Session) -> dict[str, Any]:
    """The session as stored: like `session_to_dict`, without the active branch repeated at the top
    and without the trajectories (they follow from the turns)."""
    return {
        "id": session.id,
        "persona_id": session.persona_id,
        "trainee": session.trainee,
        "started_at": _time(session.started_at),
        "client_model": session.client_model,
        "rater_model": session.rater_model,
        "rater_judge": session.rater_judge,
        "initial_state": state_to_dict(session.initial_state) if session.initial_state else None,
        "active_branch": session.active,
        "branches": [_branch_record(branch) for branch in session.branches],
    }


def session_from_dict(data: dict[str, Any]) -> Session:
    """A session from `session_to_dict` or `session_to_record` data. Older shapes go through
    `simulator.storage.schema.migrate` first."""
    branches = [branch_from_dict(branch) for branch in data["branches"]]
    return Session(
        id=data["id"],
        persona_id=data["persona_id"],
        trainee=data.get("trainee", ""),
        started_at=_parse_time(data.get("started_at")) or datetime.min,
        client_model=data.get("client_model", ""),
        rater_model=data.get("rater_model", ""),
        rater_judge=data.get("rater_judge", ""),
        initial_state=state_from_dict(data["initial_state"]) if data.get("initial_state") else None,
        branches=branches,
        active=data.get("active_branch", branches[0].id),
    )
