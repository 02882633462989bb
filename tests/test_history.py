"""`rehearse history`: every readable session, newest first, from an index that stays cheap to keep."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from simulator.cli import main
from simulator.domain import ClientForm, Prediction, Session, Speaker, Turn
from simulator.storage.sessions import SessionStore
from simulator.storage.index import INDEX_VERSION

START = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
FORM = ClientForm(empathy={"warmth": 3, "trust": 3, "respect": 4, "listening": 3, "understood": 3}, helpfulness=3,
                  session={"relationship": 8, "goals": 7, "approach": 7, "overall": 7}, comment="Okay.")
PREDICTION = Prediction(empathy={"warmth": 4, "trust": 4, "respect": 4, "listening": 4, "understood": 4},
                        helpfulness=4, session={"relationship": 9, "goals": 9, "approach": 9, "overall": 9})


def make_session(day: int, persona: str = "dana-yes-but", trainee: str = "Sam", lines: int = 2,
                 ended: bool = True, predicted: bool = False) -> Session:
    session = Session(id=f"202611{day:02d}-090000-{persona}-00{day:02d}", persona_id=persona, trainee=trainee,
                      started_at=START + timedelta(days=day))
    session.turns.append(Turn(Speaker.CLIENT, "Hello."))
    for number in range(lines):
        session.turns.extend([Turn(Speaker.TRAINEE, f"Line {number}."), Turn(Speaker.CLIENT, "Hm.")])
    if ended:
        session.branch().form = FORM
        session.branch().ended_at = session.started_at + timedelta(minutes=20)
    if predicted:
        session.branch().prediction = PREDICTION
    return session


@pytest.fixture
def store(isolated_env):
    store = SessionStore(isolated_env / "transcripts")
    for session in (make_session(3, predicted=True), make_session(5, persona="lena-silent", trainee="Ana", lines=4),
                    make_session(4, trainee="sam", ended=False)):
        store.save(session)
    store.close()
    return store


def history_json(capsys, *args: str) -> list[dict]:
    assert main(["history", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_rows_come_newest_first_with_scores_and_gap(store, capsys):
    rows = history_json(capsys)
    assert [row["id"] for row in rows] == [
        "20261105-090000-lena-silent-0005", "20261104-090000-dana-yes-but-0004", "20261103-090000-dana-yes-but-0003"]
    newest, unfinished, predicted = rows
    assert (newest["persona_id"], newest["trainee"], newest["turns"]) == ("lena-silent", "Ana", 4)
    assert (newest["empathy_total"], newest["grade"], newest["status"]) == (16, "D", "ended")
    assert predicted["calibration_gap"] == 20 - 16 and newest["calibration_gap"] is None
    assert unfinished["status"] == "interrupted" and unfinished["empathy_total"] is None
    assert newest["started_at"] == "2026-11-06T09:00:00+00:00"


def test_filters_by_persona_and_by_trainee_in_any_case(store, capsys):
    assert [r["id"][-4:] for r in history_json(capsys, "--persona", "dana-yes-but")] == ["0004", "0003"]
    assert [r["id"][-4:] for r in history_json(capsys, "--trainee", "SAM")] == ["0004", "0003"]
    assert history_json(capsys, "--persona", "lena-silent", "--trainee", "sam") == []


def test_grep_searches_what_was_said_in_every_session(store, capsys):
    assert [r["id"][-4:] for r in history_json(capsys, "--grep", "line 3.")] == ["0005"]  # only Ana's has four
    assert [r["id"][-4:] for r in history_json(capsys, "--grep", "OKAY")] == ["0005", "0003"]  # the form comment
    assert history_json(capsys, "--grep", "day centre") == []
    assert main(["history", "--grep", "day centre"]) == 0
    assert capsys.readouterr().out.startswith("No saved sessions match")


def test_the_table_shows_date_persona_trainee_length_score_grade_and_gap(store, capsys):
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "persona", "trainee", "turns", "empathy", "grade", "gap", "status", "session"]
    assert lines[3].split()[2:] == ["dana-yes-but", "Sam", "2", "16/20", "D", "+4", "ended",
                                     "20261103-090000-dana-yes-but-0003"]
    assert lines[2].split()[2:9] == ["dana-yes-but", "sam", "2", "-", "-", "-", "interrupted"]


def test_a_corrupt_file_is_named_on_stderr_and_the_others_still_list_and_open(store, capsys):
    bad = store.path_for("20261107-090000-dana-yes-but-0007")
    bad.write_text('{"session": {"1": {"id": "20261107-090000-dana-yes-but-0007", "branches": [')
    edited = store.path_for("20261104-090000-dana-yes-but-0004")
    edited.write_text(edited.read_text().replace('"speaker": "client"', '"speaker": "narrator"', 1))
    rows = history_json(capsys, "--persona", "dana-yes-but")
    assert [r["id"][-4:] for r in rows] == ["0003"]
    assert main(["history"]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.splitlines()
    assert len(warnings) == 2
    assert f"rehearse: warning: {bad}: not a readable Rehearse session (bad JSON at line 1" in captured.err
    assert f"rehearse: warning: {edited}: not a readable Rehearse session ('narrator' is not a valid Speaker)" \
           in captured.err
    assert "20261105-090000-lena-silent-0005" in captured.out
    assert SessionStore(store.folder).load("20261105-090000-lena-silent-0005").trainee == "Ana"


def test_saving_a_turn_leaves_the_index_alone_and_the_next_listing_catches_up(store, capsys):
    index = store.folder / "index.json"
    store.history()
    before = index.read_bytes(), index.stat().st_mtime_ns
    session = SessionStore(store.folder).load("20261104-090000-dana-yes-but-0004")
    session.turns.extend([Turn(Speaker.TRAINEE, "One more."), Turn(Speaker.CLIENT, "Fine.")])
    writer = SessionStore(store.folder)
    writer.save(session)
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    row = next(r for r in writer.history().rows if r["id"] == session.id)
    assert row["turns"] == 3 and row["status"] == "in progress"
    assert index.read_bytes() != before[0]
    assert next(r for r in store.history().rows if r["id"] == session.id)["status"] == "in progress"
    writer.close()
    assert next(r for r in store.history().rows if r["id"] == session.id)["status"] == "interrupted"


def test_deleted_sessions_leave_the_index_and_a_damaged_index_is_rebuilt(store):
    store.path_for("20261103-090000-dana-yes-but-0003").unlink()
    assert len(store.history().rows) == 2
    (store.folder / "index.json").write_text("garbage")
    history = store.history()
    assert len(history.rows) == 2 and history.problems == []
    assert json.loads((store.folder / "index.json").read_text())["meta"]["1"]["version"] == INDEX_VERSION


def test_an_index_of_an_older_version_is_rebuilt_with_todays_fields(store):
    store.history()
    index = store.folder / "index.json"
    data = json.loads(index.read_text())
    data["meta"]["1"]["version"] = INDEX_VERSION - 1
    for row in data["sessions"].values():
        row.pop("group", None)
    index.write_text(json.dumps(data))
    assert all("group" in row for row in store.history().rows)


def test_no_sessions_yet_says_where_it_looked(isolated_env, capsys):
    assert main(["history"]) == 0
    assert capsys.readouterr().out.strip() == f"No saved sessions in {isolated_env / 'transcripts'}."


def test_a_workshop_lists_its_group_and_each_member_finds_it(isolated_env, capsys):
    session = make_session(7, trainee="")
    for turn, name in zip([t for t in session.turns if t.speaker is Speaker.TRAINEE], ["Bo", "Ana"]):
        turn.by = name
    SessionStore(isolated_env / "transcripts").save(session)
    (row,) = history_json(capsys, "--trainee", "ana")
    assert (row["trainee"], row["group"]) == ("", ["Ana", "Bo"])
    assert main(["history"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[3] == "Ana,"
