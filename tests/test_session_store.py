from __future__ import annotations

import stat

import pytest

from simulator.domain import ClientForm, LowScoreQuote, Session, Speaker, Turn
from simulator.errors import StorageError
from simulator.storage.sessions import SessionStore


def sample_session() -> Session:
    session = Session(id="20261121-100000-dana-yes-but-abcd", persona_id="dana-yes-but", trainee="Sam")
    session.turns.extend([Turn(Speaker.CLIENT, "Fine. Tell me what to do."), Turn(Speaker.TRAINEE, "That sounds heavy.")])
    session.branch().form = ClientForm(
        empathy={"warmth": 3, "trust": 2, "respect": 4, "listening": 3, "understood": 2},
        helpfulness=2, session={"relationship": 7, "goals": 6, "approach": 6, "overall": 6},
        comment="Okay, I guess.", low_score_quotes=(LowScoreQuote("trust", "That sounds heavy."),),
    )
    return session


def test_a_saved_session_reads_back_the_same(tmp_path):
    store = SessionStore(tmp_path / "transcripts")
    session = sample_session()
    store.save(session)
    assert store.load(session.id) == session
    assert store.session_ids() == [session.id]


def test_files_are_private_to_their_owner(tmp_path):
    store = SessionStore(tmp_path / "transcripts")
    path = store.save(sample_session())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_saving_again_replaces_the_file_and_leaves_no_temporary_files(tmp_path):
    store = SessionStore(tmp_path)
    session = sample_session()
    store.save(session)
    session.turns.append(Turn(Speaker.CLIENT, "Maybe."))
    store.save(session)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", f"{session.id}.json"]
    assert store.load(session.id).turns[-1].text == "Maybe."
    store.close()
    assert list((tmp_path / ".locks").iterdir()) == []


def test_a_corrupt_file_is_reported_by_name(tmp_path):
    store = SessionStore(tmp_path)
    store.path_for("broken").write_text("{not json")
    with pytest.raises(StorageError, match="broken.json: not a readable Rehearse session"):
        store.load("broken")


def test_a_missing_session_says_how_to_find_one(tmp_path):
    with pytest.raises(StorageError, match="rehearse history"):
        SessionStore(tmp_path).load("nope")
