"""Stored sessions carry a schema version; older files are migrated in order when read."""

from __future__ import annotations

import json

import pytest

from simulator.errors import StorageError
from simulator.serialization import session_to_dict
from simulator.storage.schema import MIGRATIONS, SCHEMA_VERSION, migrate, version_of
from simulator.storage.sessions import SessionStore
from tests.test_session_store import sample_session

# A session file as the first release wrote it: one flat line of turns, no branches, no version.
FIRST_RELEASE_FILE = {
    "session": {
        "1": {
            "id": "20260301-090000-dana-yes-but-0a0a",
            "persona_id": "dana-yes-but",
            "trainee": "Sam",
            "started_at": "2026-03-01T09:00:00+00:00",
            "ended_at": "2026-03-01T09:20:00+00:00",
            "client_model": "old-model",
            "rater_model": "old-model",
            "turns": [
                {"speaker": "client", "text": "Fine. I'm here.", "at": "2026-03-01T09:00:00+00:00", "complete": True},
                {"speaker": "trainee", "text": "What brings you in?", "at": "2026-03-01T09:01:00+00:00",
                 "complete": True},
                {"speaker": "client", "text": "My doctor.", "at": "2026-03-01T09:01:05+00:00", "complete": True},
            ],
            "form": {
                "empathy": {"warmth": 2, "trust": 1, "respect": 3, "listening": 2, "understood": 1},
                "empathy_total": 9, "grade": "F", "passed": False, "helpfulness": 1,
                "session": {"relationship": 4, "goals": 3, "approach": 3, "overall": 3},
                "session_total": 13, "at_risk": True, "comment": "Meh.", "low_score_quotes": [],
            },
        }
    }
}


def test_the_current_version_follows_the_list_of_migrations():
    assert SCHEMA_VERSION == len(MIGRATIONS) + 1 == 2


def test_a_first_release_file_opens_as_one_main_branch(tmp_path):
    (tmp_path / "20260301-090000-dana-yes-but-0a0a.json").write_text(json.dumps(FIRST_RELEASE_FILE))
    session = SessionStore(tmp_path).load("20260301-090000-dana-yes-but-0a0a")
    assert [b.id for b in session.branches] == ["main"] and session.active == "main"
    assert [t.text for t in session.turns] == ["Fine. I'm here.", "What brings you in?", "My doctor."]
    assert session.form.empathy_total == 9 and session.ended and session.trainee == "Sam"
    assert session.branch().prediction is None and session.initial_state is None


def test_saving_a_migrated_session_writes_the_current_version(tmp_path):
    path = tmp_path / "20260301-090000-dana-yes-but-0a0a.json"
    path.write_text(json.dumps(FIRST_RELEASE_FILE))
    store = SessionStore(tmp_path)
    session = store.load("20260301-090000-dana-yes-but-0a0a")
    store.save(session)
    record = json.loads(path.read_text())["session"]["1"]
    assert record["schema"] == SCHEMA_VERSION and "turns" not in record and len(record["branches"]) == 1
    assert store.load(session.id) == session


def test_unversioned_files_with_branches_are_version_2():
    assert version_of({"id": "x", "branches": []}) == 2
    assert version_of({"id": "x", "turns": []}) == 1
    assert version_of({"schema": 2, "branches": []}) == 2


def test_migrations_run_in_order_and_stamp_the_version():
    record = FIRST_RELEASE_FILE["session"]["1"]
    migrated = migrate(record, "test")
    assert migrated["schema"] == SCHEMA_VERSION
    assert migrated["branches"][0]["turns"] == record["turns"]
    assert "turns" in record  # the original is left alone


def test_a_file_from_a_newer_version_is_refused_by_name(tmp_path):
    store = SessionStore(tmp_path)
    path = store.save(sample_session())
    data = json.loads(path.read_text())
    data["session"]["1"]["schema"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    with pytest.raises(StorageError, match=rf"{path.name}: written by a newer Rehearse .* upgrade Rehearse"):
        SessionStore(tmp_path).load(sample_session().id)


def test_the_headless_json_of_a_session_is_version_2_shaped():
    document = session_to_dict(sample_session())
    assert version_of(document) == 2
