from __future__ import annotations

import json
import re

import pytest

from simulator.rating.agreement import agreement
from tests.conftest import FIXTURES
from tests.test_headless_session import run_rehearse

HUMAN = [0, 0, 1, 2, 2, 0]
RATER = [0, 1, 1, 2, 0, 0]
RATER_BY_RESPONSE = dict(zip(["one", "two", "three", "four", "five", "six"], RATER))


def test_metrics_on_a_known_confusion():
    result = agreement(HUMAN, RATER)
    assert result.confusion == ((2, 1, 0), (0, 1, 0), (1, 0, 1))
    assert result.accuracy == pytest.approx(4 / 6)
    assert result.macro_f1 == pytest.approx(2 / 3)
    assert result.kappa == pytest.approx((4 / 6 - 13 / 36) / (1 - 13 / 36))


def test_kappa_is_zero_for_a_rater_that_always_says_zero():
    result = agreement(HUMAN, [0] * 6)
    assert result.kappa == pytest.approx(0.0)
    assert result.macro_f1 == pytest.approx((2 * 0.5 * 1 / 1.5) / 3)


QUOTES = {  # what a rater would copy out of the fixture replies for each level
    "emotional_reaction": {1: "I am sorry",
                           2: "It must be so painful to go through this every single day and feel so alone with it"},
    "exploration": {1: "What happened?", 2: "How are you coping at night?"},
}


def rated_quote(body) -> dict[str, str]:
    question = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    level = RATER_BY_RESPONSE[re.search(r'The reply: "Reply (\w+)\.', question).group(1)]
    mechanism = "exploration" if "ask the person a question" in question else "emotional_reaction"
    return {"quote": QUOTES[mechanism][level] if level else "NONE"}


def script_levels(server) -> None:
    server.responders["epitome_quote"] = rated_quote


def test_the_eval_command_reports_each_mechanism(server, endpoint_env):
    script_levels(server)
    result = run_rehearse("eval", "rater", "--epitome", str(FIXTURES / "epitome"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"] == "scripted-model"
    assert [m["mechanism"] for m in report["mechanisms"]] == ["emotional_reaction", "exploration"]
    for mechanism in report["mechanisms"]:
        assert mechanism["rows"] == 6
        assert mechanism["confusion"] == [[2, 1, 0], [0, 1, 0], [1, 0, 1]]
        assert mechanism["accuracy"] == round(4 / 6, 4) and mechanism["macro_f1"] == round(2 / 3, 4)
    questions = server.structured_requests("epitome_quote")
    assert len(questions) == 12
    assert any("express the responder's own feelings" in r.all_text for r in questions)
    assert any("ask the person a question" in r.all_text for r in questions)
    assert "I feel invisible at work." in questions[4].all_text


def test_the_eval_table_and_limit(server, endpoint_env):
    script_levels(server)
    result = run_rehearse("eval", "rater", "--epitome", str(FIXTURES / "epitome" / "explorations-mini.csv"),
                          "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert re.search(r"exploration\s+3\s+0\.667\s+", result.stdout)
    assert "confusion" in result.stdout


def test_a_folder_without_epitome_files_is_a_clear_error(server, endpoint_env, tmp_path):
    result = run_rehearse("eval", "rater", "--epitome", str(tmp_path))
    assert result.returncode == 2
    assert "no EPITOME files found" in result.stderr and "Traceback" not in result.stderr


RICH_REPLY = ("I understand. What happened? I am sorry. It must be so painful to go through this every single "
              "day and feel so alone with it. It sounds like you feel trapped at home. How are you coping at night?")
PLAIN_REPLY = "Try going for a walk each morning and keep a diary."


@pytest.mark.parametrize(
    ("mechanism", "quote", "reply", "level"),
    [
        ("interpretation", "NONE", PLAIN_REPLY, 0),
        ("interpretation", "words the reply never said", PLAIN_REPLY, 0),
        ("interpretation", "I understand.", RICH_REPLY, 1),
        ("interpretation", "it sounds like you feel trapped at home", RICH_REPLY, 2),
        ("exploration", "What happened?", RICH_REPLY, 1),
        ("exploration", "How are you coping at night?", RICH_REPLY, 2),
        ("emotional_reaction", "I am sorry", RICH_REPLY, 1),
        ("emotional_reaction", "It must be so painful to go through this every single day and feel so alone",
         RICH_REPLY, 2),
        # The rater found nothing, but the reply's own words show the mechanism.
        ("emotional_reaction", "NONE", "Oh no, I'm sorry about your dog.", 1),
        ("emotional_reaction", "NONE", "Oh no, I'm so sorry about your dog.", 2),
        ("exploration", "NONE", "What's going on, buddy?", 1),
        ("interpretation", "NONE", "I can totally relate to this.", 1),
        ("interpretation", "NONE", "I don't wanna get up in the mornings either.", 2),
        ("interpretation", "NONE", "Ive lost hope too, im just numb now.", 2),
        ("interpretation", "NONE", "That must feel so lonely.", 2),
        ("interpretation", "NONE", "That sounds exhausting. Everyone wants something from you.", 2),
        ("exploration", "NONE", "Do you have anyone you can talk to about it?", 2),
        ("exploration", "NONE", "Why? That makes no sense.", 0),
        # EPITOME counts telling of a similar experience as interpretation; a stock phrase alone is weak.
        ("interpretation", "NONE", "I've been there too. I lost my job last spring and hid it for weeks.", 2),
        ("interpretation", "NONE", "Me too.", 1),
        ("interpretation", "NONE", "Me too. Mornings are the worst part of my day.", 2),
        ("emotional_reaction", "NONE", "I hope things get easier for you soon.", 1),
        ("emotional_reaction", "NONE", "Have you asked your doctor about it?", 0),
        ("emotional_reaction", "NONE", "You can do this. One day at a time.", 1),
    ],
)
def test_found_words_are_checked_and_graded(mechanism, quote, reply, level):
    from simulator.rating.evidence import epitome_grade

    assert epitome_grade(mechanism, quote, reply) == level


def test_the_eval_command_reports_each_judgement_on_labelled_lines(server, endpoint_env):
    from tests.support.appraisals import script_appraisals
    from simulator.personas.loader import load_persona_file
    from simulator import paths

    dana = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    # A rater that calls every line advice and reaches loneliness every time.
    script_appraisals(server, dana, traps=("early_advice",), touches={"lonely and unseen": "accurately"}, understood=0)
    result = run_rehearse("eval", "rater", "--lines", str(FIXTURES / "lines" / "dana-sample.jsonl"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["judge"] == "ask" and "ask" in report["method"]
    lines = report["lines"]
    assert lines["lines"] == 4 and lines["personas"] == 1
    advice = lines["traps"]["early_advice"]
    assert (advice["precision"], advice["recall"], advice["accuracy"]) == (0.5, 1.0, 0.5)
    reached = lines["feeling_reached"]  # 16 (line, feeling) pairs, one of them reached
    assert reached["rows"] == 16 and reached["recall"] == 1.0 and reached["precision"] == 0.25
    assert lines["unempathic_kinds"]["single_word"] == {"lines": 1, "reach_no_feeling": 0, "understood_at_most_1": 1}


def test_the_eval_command_names_a_bad_labelled_line(server, endpoint_env, tmp_path):
    broken = tmp_path / "lines.jsonl"
    broken.write_text('{"persona": "dana-yes-but", "client": "x", "line": "y", "kind": "z", "feelings": {}, '
                      '"traps": [], "skills": [], "understood": 2}\n')
    result = run_rehearse("eval", "rater", "--lines", str(broken))
    assert result.returncode != 0
    assert "lines.jsonl, line 1: 'feelings' must name exactly the hidden feelings of dana-yes-but" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_eval_command_needs_something_to_check(server, endpoint_env):
    result = run_rehearse("eval", "rater")
    assert result.returncode != 0 and "needs --epitome PATH, --lines FILE, or both" in result.stderr
