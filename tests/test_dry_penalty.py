"""The DRY penalty's arithmetic, on token ids written for the test."""

from __future__ import annotations

import pytest

from simulator.llm.dry import DrySettings, penalties

NEW_LINE = 0


def test_a_token_that_would_extend_an_earlier_stretch_is_penalised_by_its_length():
    settings = DrySettings(multiplier=1.0, base=2.0, allowed_length=2)
    # 5 6 7 8 was said; the context now ends 5 6 7, so 8 would repeat a stretch of three.
    assert penalties([5, 6, 7, 8, 9, 5, 6, 7], settings, frozenset()) == {8: 2.0}
    # Ending 6 7 matches two tokens: the allowed length, so 8 gets the multiplier alone.
    assert penalties([5, 6, 7, 8, 9, 4, 6, 7], settings, frozenset()) == {8: 1.0}
    # A single token in common is free.
    assert penalties([5, 6, 7, 8, 9, 4, 3, 7], settings, frozenset()) == {}


def test_a_match_never_runs_across_a_sequence_breaker():
    settings = DrySettings(multiplier=1.0, base=2.0, allowed_length=2)
    # Earlier "5 6 7 8", then a new line, and the context ends "... NL 6 7": only two match.
    assert penalties([5, 6, 7, 8, 9, 5, NEW_LINE, 6, 7], settings, frozenset({NEW_LINE})) == {8: 1.0}
    # The first token after a breaker is always free.
    assert penalties([5, 6, NEW_LINE, 5, 6, NEW_LINE], settings, frozenset({NEW_LINE})) == {}


def test_the_longest_earlier_match_decides_and_old_text_can_be_left_out():
    settings = DrySettings(multiplier=1.0, base=2.0, allowed_length=2)
    history = [1, 2, 3, 4, 9, 2, 3, 7, 1, 2, 3]
    assert penalties(history, settings, frozenset()) == {4: 2.0, 7: 1.0}
    assert penalties(history, DrySettings(1.0, 2.0, 2, penalty_last_n=7), frozenset()) == {7: 1.0}


@pytest.mark.parametrize(("body", "expected"), [
    ({"dry_multiplier": 0.8}, DrySettings(0.8)),
    ({"dry_multiplier": 1, "dry_base": 2, "dry_allowed_length": 3, "dry_penalty_last_n": 512}, DrySettings(1.0, 2.0, 3, 512)),
    ({}, None),
    ({"dry_multiplier": 0}, None),
    ({"dry_multiplier": "lots"}, None),
    ({"dry_multiplier": 0.8, "dry_base": 0.5}, None),
    ({"dry_multiplier": True}, None),
])
def test_a_request_asks_for_dry_with_llama_cpps_field_names(body, expected):
    assert DrySettings.from_request(body) == expected
    assert not any(key.startswith("dry_") for key in body)  # taken out before the server's own model sees them
