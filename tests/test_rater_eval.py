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


def level_for(body):
    question = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    word = re.search(r'The reply: "response (\w+)"', question).group(1)
    return {"level": RATER_BY_RESPONSE[word]}


def test_the_eval_command_reports_each_mechanism(server, endpoint_env):
    server.responders["epitome_level"] = level_for
    result = run_rehearse("eval", "rater", "--epitome", str(FIXTURES / "epitome"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"] == "scripted-model"
    assert [m["mechanism"] for m in report["mechanisms"]] == ["emotional_reaction", "exploration"]
    for mechanism in report["mechanisms"]:
        assert mechanism["rows"] == 6
        assert mechanism["confusion"] == [[2, 1, 0], [0, 1, 0], [1, 0, 1]]
        assert mechanism["accuracy"] == round(4 / 6, 4) and mechanism["macro_f1"] == round(2 / 3, 4)
    questions = [r for r in server.structured_requests("epitome_level")]
    assert any("Emotional reaction:" in r.all_text for r in questions)
    assert any("Exploration:" in r.all_text for r in questions)
    assert "I feel invisible at work." in questions[4].all_text


def test_the_eval_table_and_limit(server, endpoint_env):
    server.responders["epitome_level"] = level_for
    result = run_rehearse("eval", "rater", "--epitome", str(FIXTURES / "epitome" / "explorations-mini.csv"),
                          "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert re.search(r"exploration\s+3\s+0\.667\s+", result.stdout)
    assert "confusion" in result.stdout


def test_a_folder_without_epitome_files_is_a_clear_error(server, endpoint_env, tmp_path):
    result = run_rehearse("eval", "rater", "--epitome", str(tmp_path))
    assert result.returncode == 2
    assert "no EPITOME files found" in result.stderr and "Traceback" not in result.stderr
