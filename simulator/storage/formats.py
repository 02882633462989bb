"""One saved session rendered in an export format: md for notes, json for `rehearse import`, html
for a self-contained report."""

from __future__ import annotations

from simulator.domain import Persona, Session

FORMATS = ("md", "json", "html")


def render(session: Session, persona: Persona | None, fmt: str) -> str:
    """`persona` adds the hidden feelings to md and html (None: a report without them)."""
    if fmt == "json":
        from simulator.storage.exchange import export_json

        return export_json(session)
    from simulator.storage.report import build_report

    report = build_report(session, persona)
    if fmt == "md":
        from simulator.storage.markdown import session_markdown

        return session_markdown(report)
    from simulator.storage.html_report import session_html

    return session_html(report)
