"""A workshop room's index page: every participant's finished sessions in one table, each linking
to its own report. Self-contained like the session reports: no scripts, nothing fetched, every
text escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from simulator.domain import EMPATHY_MAX
from simulator.storage.html_report import POLICY, STYLE

TABLE_STYLE = """
table.room { border-collapse: collapse; width: 100%; } .room th, .room td { padding: .3rem .5rem;
text-align: left; border-bottom: 1px solid #e3e3dc; } .room td.n { font-variant-numeric: tabular-nums; }
"""


@dataclass(frozen=True)
class RoomEntry:
    participant: str
    client: str
    started: str
    """"YYYY-MM-DD HH:MM"."""
    empathy: int | None
    grade: str
    report: str
    """The session report's file name, beside the index."""


def room_index_html(title: str, entries: list[RoomEntry]) -> str:
    rows = []
    for entry in sorted(entries, key=lambda e: (e.participant.casefold(), e.started)):
        empathy = f"{entry.empathy}/{EMPATHY_MAX}" if entry.empathy is not None else "—"
        rows.append(f"<tr><td>{escape(entry.participant)}</td><td>{escape(entry.client)}</td>"
                    f'<td class="n">{escape(entry.started)}</td><td class="n">{escape(empathy)}</td>'
                    f"<td>{escape(entry.grade or '—')}</td>"
                    f'<td><a href="{escape(entry.report, quote=True)}">report</a></td></tr>')
    people = len({entry.participant for entry in entries})
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}{TABLE_STYLE}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{len(entries)} finished session{"s" if len(entries) != 1 else ""} by {people} '
        f'participant{"s" if people != 1 else ""}.</p>',
        '<table class="room"><tr><th>participant</th><th>client</th><th>date</th><th>empathy</th>'
        "<th>grade</th><th></th></tr>", *rows, "</table>", "</body>", "</html>", "",
    ])
