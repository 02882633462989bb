"""A session as Markdown, for a trainee's or supervisor's notes."""

from __future__ import annotations

import re

from simulator.domain import Speaker
from simulator.storage.report import CUT_OFF, BranchReport, Report
from simulator.terminal_text import terminal_safe

_LINK_BRACKET = re.compile(r"\](?=[(\[:])")
"""The ']' of '[text](url)', '[text][ref]' or '[ref]: url'; escaped, it makes no link."""


def _cell(text: str) -> str:
    return " ".join(_text(text).split()).replace("|", "\\|")


def _text(text: str) -> str:
    """Said or written text, names included, shown as it is: raw HTML in it must not render as HTML,
    nor a link in it become one (a 'javascript:' link runs code when clicked)."""
    # Backslashes first, so that a backslash in the text cannot undo the escapes that follow.
    escaped = terminal_safe(text).replace("\\", "\\\\").replace("<", "\\<")
    return _LINK_BRACKET.sub(r"\\]", escaped)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in _text(text).splitlines() or [""])


def _transcript(branch: BranchReport) -> list[str]:
    out = [f"## {branch.title}", ""]
    for line in branch.lines:
        label = _text(f"{line.who} ({line.number})" if line.speaker is Speaker.TRAINEE else line.who)
        text = _text(line.text) + (f" **{CUT_OFF}**" if line.cut_off else "")
        # Two trailing spaces: a hard line break, so each note sits on its own line under the turn.
        out.append("  \n".join([f"**{label}:** {text}", *(f"_{_text(note)}_" for note in line.notes)]))
        out.append("")
    return out


def _form(report: Report, branch: BranchReport) -> list[str]:
    form = branch.form
    if form is None:
        return ["_No form yet: the session was not ended._", ""] if not branch.ended else []
    predicted = branch.prediction is not None
    out = [f"### The client's form ({branch.id})", "",
           "| Item | Score |" + (" Predicted | Gap |" if predicted else ""),
           "|---|---|" + ("---|---|" if predicted else "")]
    for score in branch.scores:
        row = f"| {_cell(score.item.wording)} | {score.score}/{score.item.high} |"
        if predicted:
            row += f" {score.predicted} | {score.predicted - score.score:+d} |" if score.predicted is not None else " - | - |"
        out.append(row)
    verdict = "pass" if form.passed else "fail"
    risk = " — at risk" if form.at_risk else ""
    out += ["", f"**Empathy {form.empathy_total}/{report.empathy_max}, grade {form.grade} ({verdict}); "
                f"session {form.session_total}/{report.session_max}{risk}.**"]
    if branch.calibration_gap is not None:
        out.append(f"Calibration gap (predicted minus actual empathy): {branch.calibration_gap:+d}.")
    out += ["", _quote(form.comment), ""]
    for quote in form.low_score_quotes:
        out.append(f"- Low {_text(quote.item)}: “{_text(quote.quote)}”")
    if form.low_score_quotes:
        out.append("")
    return out


def _hidden(branch: BranchReport) -> list[str]:
    if not branch.feelings:
        return []
    out = [f"### Hidden feelings ({branch.id})", ""]
    for feeling in branch.feelings:
        reached = ", ".join(f"line {line} {touch.value}" for line, touch in feeling.lines) or "never reached"
        hidden = feeling.feeling
        out.append(f"- **{_text(hidden.feeling)}** (intensity {hidden.intensity}/5, speakable at trust "
                   f"{hidden.voice_at_trust}): {_text(hidden.reason)} — _{reached}_")
    if branch.trust:
        path = " → ".join(f"{point.trust:g}" for point in branch.trust)
        out += ["", f"Trust at the start and after each of your lines: {path}"]
    return out + [""]


def session_markdown(report: Report) -> str:
    session = report.session
    out = [f"# Session with {_text(report.client)}", "",
           "| | |", "|---|---|",
           f"| Persona | {_cell(report.persona_line)} |",
           f"| Therapist | {_cell(report.trainee)} |",
           f"| Started | {session.started_at:%Y-%m-%d %H:%M %Z} |",
           f"| Session | `{session.id}` |"]
    if session.client_model or session.rater_model:
        out.append(f"| Models | client {_cell(session.client_model or '-')}, rater {_cell(session.rater_model or '-')} |")
    if session.rater_judge:
        out.append(f"| Judged by | {_cell(session.rater_judge)} |")
    out.append("")
    if report.situation:
        out += [_quote(report.situation), ""]
    for branch in report.branches:
        out += _transcript(branch) + _form(report, branch) + _hidden(branch)
    return "\n".join(out).rstrip() + "\n"
