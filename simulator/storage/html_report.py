"""A session as one self-contained HTML file: no scripts, no external resources, every text escaped.

For handing a session to a supervisor: the transcript, the client's form as bars, the hidden
feelings the debrief reveals, and the trust curve as an inline SVG chart.
"""

from __future__ import annotations

from html import escape

from simulator.domain import Speaker
from simulator.storage.report import CUT_OFF, BranchReport, Report
from simulator.storage.trust_chart import trust_chart

# The policy forbids any fetch, so the page is the same offline as online.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2330; background: #fbfbf8; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d8d8d0; }
.meta { color: #5a6070; margin: 0; } .meta code { font-size: .85em; }
.situation { border-left: 4px solid #c9c4b0; padding-left: 1rem; color: #3d4250; }
.turn { margin: .8rem 0; padding: .6rem .9rem; border-radius: 8px; }
.turn.client { background: #eef1f7; } .turn.trainee { background: #f5efe3; margin-left: 2.5rem; }
.who { font-weight: 600; } .num { color: #7a7f8c; font-weight: 400; }
.cut { color: #a3361c; font-weight: 600; }
.note { color: #5a6070; font-size: .9em; font-style: italic; margin: .2rem 0 0; }
.bars { border-collapse: collapse; width: 100%; }
.bars td { padding: .25rem .4rem; vertical-align: middle; } .bars td.item { width: 45%; }
.bar { background: #e3e3dc; border-radius: 4px; height: .9rem; position: relative; min-width: 8rem; }
.bar span { display: block; height: 100%; border-radius: 4px; background: #3f7f5f; }
.bar span.low { background: #c0643c; }
.bar i { position: absolute; top: -2px; width: 2px; height: calc(100% + 4px); background: #1d2330; }
.score { white-space: nowrap; font-variant-numeric: tabular-nums; }
.total { font-weight: 600; } .fail { color: #a3361c; } .pass { color: #2d6a4a; }
blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 4px solid #c9c4b0; }
.feelings li { margin-bottom: .5rem; } .reached { color: #5a6070; font-style: italic; }
.chart { width: 100%; height: auto; } .chart .grid { stroke: #e3e3dc; }
.chart text { font-size: 12px; fill: #5a6070; }
.chart polyline { fill: none; stroke-width: 2.5; } .chart polyline.trust { stroke: #3f7f5f; }
.chart polyline.resistance { stroke: #c0643c; stroke-dasharray: 6 4; } .chart circle.trust { fill: #3f7f5f; }
.legend { color: #5a6070; font-size: .9em; }
@media print { body { background: white; } .turn { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _lines(branch: BranchReport) -> list[str]:
    out = []
    for line in branch.lines:
        role = "trainee" if line.speaker is Speaker.TRAINEE else "client"
        number = f' <span class="num">({line.number})</span>' if line.number else ""
        cut = f' <span class="cut">{CUT_OFF}</span>' if line.cut_off else ""
        notes = "".join(f'<p class="note">{_e(note)}</p>' for note in line.notes)
        out.append(f'<div class="turn {role}"><span class="who">{_e(line.who)}</span>{number}: '
                   f"{_e(line.text)}{cut}{notes}</div>")
    return out


def _form(report: Report, branch: BranchReport) -> list[str]:
    form = branch.form
    if form is None:
        return ["<p><em>No form yet: the session was not ended.</em></p>"]
    out = ["<h3>The client’s form</h3>", '<table class="bars">']
    for score in branch.scores:
        share = 100 * score.score / score.item.high
        low = " low" if share < 75 else ""
        marker = ""
        predicted = ""
        if score.predicted is not None:
            marker = f'<i style="left: {100 * score.predicted / score.item.high:.0f}%" title="your prediction"></i>'
            predicted = f" (you said {score.predicted})"
        out.append(f'<tr><td class="item">{_e(score.item.wording)}</td><td><div class="bar">'
                   f'<span class="{low.strip()}" style="width: {share:.0f}%"></span>{marker}</div></td>'
                   f'<td class="score">{score.score}/{score.item.high}{_e(predicted)}</td></tr>')
    out.append("</table>")
    verdict = '<span class="pass">pass</span>' if form.passed else '<span class="fail">fail</span>'
    risk = ' — <span class="fail">at risk</span>' if form.at_risk else ""
    out.append(f'<p class="total">Empathy {form.empathy_total}/{report.empathy_max}, grade {_e(form.grade)} '
               f"({verdict}); session {form.session_total}/{report.session_max}{risk}</p>")
    if branch.calibration_gap is not None:
        out.append(f"<p>Calibration gap (predicted minus actual empathy): {branch.calibration_gap:+d}. "
                   "The black marks on the bars are your predictions.</p>")
    out.append(f"<blockquote>{_e(form.comment)}</blockquote>")
    if form.low_score_quotes:
        out.append("<ul>" + "".join(f"<li>Low {_e(q.item)}: “{_e(q.quote)}”</li>" for q in form.low_score_quotes)
                   + "</ul>")
    return out


def _hidden(branch: BranchReport) -> list[str]:
    out = []
    if branch.feelings:
        out += ["<h3>What the client was hiding</h3>", '<ul class="feelings">']
        for feeling in branch.feelings:
            reached = ", ".join(f"line {line} {touch.value}" for line, touch in feeling.lines) or "never reached"
            hidden = feeling.feeling
            out.append(f"<li><strong>{_e(hidden.feeling)}</strong> (intensity {hidden.intensity}/5, speakable at "
                       f"trust {hidden.voice_at_trust}): {_e(hidden.reason)} "
                       f'<span class="reached">— {_e(reached)}</span></li>')
        out.append("</ul>")
    if len(branch.trust) > 1:
        out += ["<h3>Trust over the session</h3>", trust_chart(branch.trust),
                '<p class="legend">Solid: trust (0–10). Dashed: resistance (0–10).</p>']
    return out


def session_html(report: Report) -> str:
    session = report.session
    body = [f"<h1>Session with {_e(report.client)}</h1>",
            f'<p class="meta">{_e(report.persona_line)}</p>',
            f'<p class="meta">Therapist: {_e(report.trainee)} · {session.started_at:%Y-%m-%d %H:%M %Z} · '
            f"<code>{_e(session.id)}</code></p>"]
    if report.situation:
        body.append(f'<p class="situation">{_e(report.situation)}</p>')
    for branch in report.branches:
        body += [f'<section id="branch-{_e(branch.id)}">', f"<h2>{_e(branch.title)}</h2>", *_lines(branch),
                 *_form(report, branch), *_hidden(branch), "</section>"]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Session with {_e(report.client)} — {session.started_at:%Y-%m-%d}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])
