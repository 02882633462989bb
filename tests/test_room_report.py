"""The room's index page treats every name and file name as untrusted text."""

from __future__ import annotations

from simulator.storage.room_report import RoomEntry, room_index_html


def test_names_are_escaped_and_the_page_fetches_nothing():
    page = room_index_html("Room <1>", [RoomEntry('<script>alert("x")</script>', "Dana & co", "2026-12-03 09:00", 13,
                                                  "F", 'a" onmouseover="x.html')])
    assert "<script>" not in page and "&lt;script&gt;" in page and "Dana &amp; co" in page
    assert 'href="a&quot; onmouseover=&quot;x.html"' in page and "13/20" in page
    assert "default-src 'none'" in page and "1 finished session by 1 participant." in page
