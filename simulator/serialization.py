"""Sessions and forms to and from plain JSON data: one shape for storage, exports and `--json` output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.domain import ClientForm, LowScoreQuote, Session, Speaker, Turn


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def turn_to_dict(turn: Turn) -> dict[str, Any]:
    return {"speaker": turn.speaker.value, "text": turn.text, "at": _time(turn.at), "complete": turn.complete}


def turn_from_dict(data: dict[str, Any]) -> Turn:
    return Turn(
        speaker=Speaker(data["speaker"]),
        text=data["text"],
        at=_parse_time(data.get("at")) or datetime.min,
        complete=data.get("complete", True),
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


def session_to_dict(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "persona_id": session.persona_id,
        "trainee": session.trainee,
        "started_at": _time(session.started_at),
        "ended_at": _time(session.ended_at),
        "client_model": session.client_model,
        "rater_model": session.rater_model,
        "turns": [turn_to_dict(turn) for turn in session.turns],
        "form": form_to_dict(session.form) if session.form else None,
    }


def session_from_dict(data: dict[str, Any]) -> Session:
    return Session(
        id=data["id"],
        persona_id=data["persona_id"],
        trainee=data.get("trainee", ""),
        started_at=_parse_time(data.get("started_at")) or datetime.min,
        ended_at=_parse_time(data.get("ended_at")),
        client_model=data.get("client_model", ""),
        rater_model=data.get("rater_model", ""),
        turns=[turn_from_dict(turn) for turn in data.get("turns", [])],
        form=form_from_dict(data["form"]) if data.get("form") else None,
    )
