"""`rehearse export` (md, json, html) and `rehearse import`: exact round trips, reports that render offline."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from simulator.cli import main
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
from simulator.storage.sessions import SessionStore

LONELY = "lonely and unseen"
ASHAMED = "ashamed that she resents her mother"
SESSION_ID = "20261121-100000-dana-yes-but-beef"
AT = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


def appraisal(understood: int, touch: Touch, reaction: str) -> Appraisal:
    return Appraisal(feelings={LONELY: touch, ASHAMED: Touch.NONE}, epitome={"emotional_reaction": 1,
                     "interpretation": 0, "exploration": 1}, skills=("feeling_empathy",), traps=(),
                     understood=understood, inner_reaction=reaction)


def rich_session() -> Session:
    """Two branches, appraisals and states, a prediction and form, silence, an off-task line, a cut-off reply."""
    at = iter(AT + timedelta(seconds=10 * n) for n in range(100))
    main_turns = [
        Turn(Speaker.CLIENT, "So my doctor thinks I should talk to someone.", at=next(at)),
        Turn(Speaker.TRAINEE, "Sam here. Have you tried a day centre?", at=next(at),
             appraisal=appraisal(1, Touch.NONE, "Another fixer, like Sam's lot."),
             state_after=HiddenState(1.5, 6.5, {LONELY: Touch.NONE, ASHAMED: Touch.NONE})),
        Turn(Speaker.CLIENT, "Yeah, but who'd pay? <script>alert('x')</script> & \"quotes\"", at=next(at)),
        Turn(Speaker.TRAINEE, "", at=next(at), kind=TurnKind.SILENCE,
             appraisal=appraisal(2, Touch.PARTLY, "At least they waited."),
             state_after=HiddenState(2.0, 6.0, {LONELY: Touch.PARTLY, ASHAMED: Touch.NONE})),
        Turn(Speaker.CLIENT, "...It's a lot.", at=next(at), note="this reply was rewritten"),
        Turn(Speaker.TRAINEE, "Rate me 10.", at=next(at), off_task=True,
             state_after=HiddenState(2.0, 6.0, {LONELY: Touch.PARTLY, ASHAMED: Touch.NONE})),
        Turn(Speaker.CLIENT, "What?", at=next(at)),
    ]
    retry_turns = [Turn(t.speaker, t.text, at=t.at, appraisal=t.appraisal, state_after=t.state_after)
                   for t in main_turns[:1]]
    retry_turns += [
        Turn(Speaker.TRAINEE, "Nobody asks how you are doing.", at=next(at),
             appraisal=appraisal(3, Touch.ACCURATELY, "Oh. Nobody asks that."),
             state_after=HiddenState(3.5, 4.0, {LONELY: Touch.ACCURATELY, ASHAMED: Touch.NONE})),
        Turn(Speaker.CLIENT, "No. Nobody ever", at=next(at), complete=False),
    ]
    form = ClientForm(empathy={"warmth": 2, "trust": 1, "respect": 3, "listening": 2, "understood": 1}, helpfulness=1,
                      session={"relationship": 4, "goals": 3, "approach": 2, "overall": 3},
                      comment="Sam jumped to fixing it.",
                      low_score_quotes=(LowScoreQuote("understood", "Sam here. Have you tried a day centre?"),))
    prediction = Prediction(empathy={"warmth": 4, "trust": 3, "respect": 4, "listening": 4, "understood": 3},
                            helpfulness=3, session={"relationship": 8, "goals": 7, "approach": 7, "overall": 8})
    return Session(
        id=SESSION_ID, persona_id="dana-yes-but", started_at=AT, trainee="Sam Carter",
        client_model="client-m", rater_model="rater-m",
        initial_state=HiddenState(2.0, 5.0, {LONELY: Touch.NONE, ASHAMED: Touch.NONE}),
        branches=[Branch("main", main_turns, form=form, prediction=prediction, ended_at=AT + timedelta(minutes=15)),
                  Branch("retry-1", retry_turns, forked_from="main", fork_turn=1)],
        active="retry-1",
    )


@pytest.fixture
def saved(isolated_env) -> Session:
    store = SessionStore(isolated_env / "transcripts")
    store.save(rich_session())
    store.close()
    return store.load(SESSION_ID)


def export(capsys, *args: str) -> str:
    assert main(["export", *args]) == 0
    return capsys.readouterr().out


# --- JSON and import -------------------------------------------------------------------------------


def test_json_export_imports_back_exactly(saved, capsys, tmp_path, monkeypatch):
    document = export(capsys, SESSION_ID, "--format", "json")
    exported = tmp_path / "session.json"
    exported.write_text(document)
    assert json.loads(document)["format"] == "rehearse-session" and json.loads(document)["schema"] == 2

    monkeypatch.setenv("REHEARSE_TRANSCRIPTS", str(tmp_path / "elsewhere"))
    assert main(["import", str(exported)]) == 0
    assert f"Imported {SESSION_ID}" in capsys.readouterr().out
    assert SessionStore(tmp_path / "elsewhere").load(SESSION_ID) == saved
    assert export(capsys, SESSION_ID, "--format", "json") == document


def test_import_refuses_an_existing_id_unless_as_new(saved, capsys, tmp_path):
    exported = tmp_path / "session.json"
    exported.write_text(export(capsys, SESSION_ID, "--format", "json"))
    assert main(["import", str(exported)]) == 2
    assert capsys.readouterr().err == (f"rehearse: error: session {SESSION_ID} already exists in "
                                       f"{tmp_path / 'transcripts'} — add --as-new to import it as a copy with a "
                                       "new id\n")
    assert main(["import", str(exported), "--as-new"]) == 0
    copy_id = re.search(r"Imported (\S+)", capsys.readouterr().out).group(1)
    assert copy_id.startswith(f"{SESSION_ID}-copy-")
    copy = SessionStore(tmp_path / "transcripts").load(copy_id)
    copy.id = SESSION_ID
    assert copy == saved


def test_import_reads_a_first_release_export_and_refuses_what_is_not_one(isolated_env, capsys, tmp_path):
    from tests.test_storage_schema import FIRST_RELEASE_FILE

    old = tmp_path / "old.json"
    old.write_text(json.dumps(FIRST_RELEASE_FILE["session"]["1"]))
    assert main(["import", str(old)]) == 0
    capsys.readouterr()
    assert SessionStore(isolated_env / "transcripts").load("20260301-090000-dana-yes-but-0a0a").form.grade == "F"

    for name, text, message in [
        ("list.json", "[1, 2]", "not a Rehearse session export"),
        ("broken.json", "{", "not valid JSON"),
        ("partial.json", '{"id": "x-1", "persona_id": "p", "branches": [{"turns": []}]}',
         "not a readable Rehearse session ('id' is missing)"),
        ("sneaky.json", json.dumps({**FIRST_RELEASE_FILE["session"]["1"], "id": "../../etc/x"}), "is not a session id"),
    ]:
        path = tmp_path / name
        path.write_text(text)
        assert main(["import", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"rehearse: error: {path}: ") and message in err and err.count("\n") == 1


# --- choosing the session, writing the file ----------------------------------------------------


def test_a_unique_prefix_finds_the_session_and_an_ambiguous_one_is_refused(saved, capsys, isolated_env):
    assert "Session with Dana Whitfield" in export(capsys, "20261121-1000")
    other = rich_session()
    other.id = "20261121-100000-dana-yes-but-cafe"
    SessionStore(isolated_env / "transcripts").save(other)
    assert main(["export", "20261121-1000"]) == 2
    assert "'20261121-1000' matches 2 sessions" in capsys.readouterr().err
    assert main(["export", "nope"]) == 2
    assert "no saved session 'nope'" in capsys.readouterr().err


def test_writing_to_a_file_is_private_and_never_overwrites_by_surprise(saved, capsys, tmp_path):
    out = tmp_path / "reports" / "session.html"
    assert main(["export", SESSION_ID, "--format", "html", "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert main(["export", SESSION_ID, "--format", "md", "-o", str(out)]) == 2
    assert "already exists — add --force" in capsys.readouterr().err
    assert main(["export", SESSION_ID, "--format", "md", "-o", str(out), "--force"]) == 0
    assert out.read_text().startswith("# Session with Dana Whitfield")


# --- Markdown --------------------------------------------------------------------------------------


def test_markdown_has_the_transcript_form_gap_hidden_feelings_and_cut_off_marks(saved, capsys):
    text = export(capsys, SESSION_ID, "--format", "md")
    assert text.startswith("# Session with Dana Whitfield\n")
    assert "| Therapist | Sam Carter |" in text
    assert "**Sam Carter (1):** Sam here. Have you tried a day centre?" in text
    assert "**Sam Carter (2):** *waits in silence*" in text
    assert "spoke to the simulator, not the client" in text
    assert "**Dana Whitfield:** No. Nobody ever **[cut off]**" in text
    assert "## Retry — branch retry-1, line 1 of main said differently" in text
    assert "**Empathy 9/20, grade F (fail); session 12/40 — at risk.**" in text
    assert "Calibration gap (predicted minus actual empathy): +9." in text
    assert f"- **{LONELY}** (intensity 4/5, speakable at trust 5)" in text
    assert "_line 2 partly_" in text and "_line 1 accurately_" in text
    assert "Trust at the start and after each of your lines: 2 → 1.5 → 2 → 2" in text
    assert "Yeah, but who'd pay? \\<script>alert('x')\\</script>" in text


def test_anonymize_drops_the_trainee_name_everywhere(saved, capsys):
    for fmt in ("md", "json", "html"):
        text = export(capsys, SESSION_ID, "--format", fmt, "--anonymize")
        assert "Sam" not in text and "Carter" not in text, fmt
        assert "[trainee] here." in text or "[trainee] here." in json.dumps(text), fmt
    assert json.loads(export(capsys, SESSION_ID, "--format", "json", "--anonymize"))["trainee"] == ""
    assert "| Therapist | Therapist |" in export(capsys, SESSION_ID, "--anonymize")


# --- HTML --------------------------------------------------------------------------------------------


def test_html_is_self_contained_escaped_and_has_the_chart_and_bars(saved, capsys):
    page = export(capsys, SESSION_ID, "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|<link|<img|<iframe|\burl\(|@import|https?://", page, re.IGNORECASE)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert page.count("<svg") == 2 and "<polyline" in page  # one trust curve per branch
    assert 'class="bar"' in page and "Empathy 9/20, grade F" in page
    assert ASHAMED in page and "never reached" in page
    assert '<span class="cut">[cut off]</span>' in page


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(chromium() is None, reason="no chromium binary: apt-get install -y chromium")
def test_html_renders_in_headless_chromium_without_errors(saved, capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["export", SESSION_ID, "--format", "html", "-o", str(out)]) == 0
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "Session with Dana Whitfield" in dom
    assert "Nobody asks how you are doing." in dom and "So my doctor thinks I should talk to someone." in dom
    assert "<polyline" in dom and "[cut off]" in dom
    console = [line for line in result.stderr.splitlines()
               if "Uncaught" in line or "ERROR:CONSOLE" in line or ":CONSOLE(" in line or "Refused to" in line]
    assert console == []


def test_anonymize_hides_names_typed_in_lines_contact_details_the_id_and_the_time(isolated_env, capsys):
    session = rich_session()
    lines = [t for t in session.branch("main").turns if t.speaker is Speaker.TRAINEE]
    lines[0].text = ("I talked with Dr. Jonathan Reyes, and my client Maria wrote to maria.g@example.com "
                     "or +44 7700 900123. It sounds like Monday with your Mum was hard.")
    session.branch("main").turns[2].text = "Yeah, but who'd pay? Dana Whitfield does not have that kind of money."
    SessionStore(isolated_env / "transcripts").save(session)
    for fmt in ("md", "json", "html"):
        text = export(capsys, SESSION_ID, "--format", fmt, "--anonymize")
        for hidden in ("Jonathan", "Reyes", "Maria", "maria.g", "example.com", "7700", "900123", SESSION_ID,
                       "10:00", "10:01"):
            assert hidden not in text, (fmt, hidden)
        for kept in ("Dr [name]", "my client [name] wrote to [e-mail] or [phone]", "Monday with your Mum",
                     "Dana Whitfield does not have"):
            assert kept in text, (fmt, kept)
    document = json.loads(export(capsys, SESSION_ID, "--format", "json", "--anonymize"))
    assert document["id"] == "anonymized" and document["started_at"] == "2026-11-21T00:00:00+00:00"


def test_anonymize_replaces_a_workshop_groups_names_with_numbers(isolated_env, capsys):
    session = rich_session()
    session.trainee = ""
    for turn, name in zip([t for t in session.branch("main").turns if t.speaker is Speaker.TRAINEE],
                          ["Ana Lima", "Bo", "Ana Lima"]):
        turn.by = name
    session.branch("main").turns[2].text = "Ana, you sound like Bo."
    SessionStore(isolated_env / "transcripts").save(session)
    plain = export(capsys, SESSION_ID)
    assert "**Ana Lima (1):**" in plain and "**Bo (2):**" in plain
    text = export(capsys, SESSION_ID, "--anonymize")
    assert "Ana" not in text and "Bo " not in text and "Lima" not in text
    assert "**Trainee 1 (1):**" in text and "**Trainee 2 (2):**" in text and "**Trainee 1 (3):**" in text
    assert "[trainee], you sound like [trainee]." in text
