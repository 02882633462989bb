"""What a reply's own words show: the trap and skill cues the learned heads take as features."""

from __future__ import annotations

import pytest

from simulator.rating.evidence import skills_in_words, traps_in_words

EMPATHY = [
    "It sounds like you're exhausted, and everyone has a suggestion for you except the one thing you need.",
    "You're carrying your mum, the kids and your job, and nobody is asking how you are.",
    "And being told to take time for yourself must feel like one more thing you're failing at.",
    "I wonder if part of you is worn out with your mum, and then you feel awful for even feeling that.",
    "That's a lot to hold on your own. What has been the hardest moment this week?",
    "Tell me more about that.",
    "You love her, and you're furious at the same time.",
]


@pytest.mark.parametrize("reply", EMPATHY)
def test_reflections_fall_into_no_trap(reply):
    assert traps_in_words(reply) == set()


@pytest.mark.parametrize(
    "reply, trap",
    [
        ("Have you thought about getting a carer in for your mum?", "early_advice"),
        ("Why don't you ask your sister to take on more?", "early_advice"),
        ("Try a short walk each morning.", "early_advice"),
        ("You're doing a great job, honestly. Things will get easier.", "reassurance"),
        ("That's not true, you said the day centre helped.", "arguing"),
        ("You reject every idea I give you.", "judging"),
        ("You're being difficult.", "judging"),
        ("Anyway, how is work going?", "changing_subject"),
    ],
)
def test_each_trap_is_found_in_its_words(reply, trap):
    assert trap in traps_in_words(reply)


def test_only_the_named_traps_are_looked_for():
    assert traps_in_words("You're being difficult. Try a walk.", ("early_advice",)) == {"early_advice"}


@pytest.mark.parametrize(
    "reply, skill",
    [
        ("You're right, the advice you get doesn't fit your life.", "disarming"),
        ("It sounds like you think nobody would notice if you stopped.", "thought_empathy"),
        ("You must feel so alone with it.", "feeling_empathy"),
        ("That sounds exhausting.", "feeling_empathy"),
        ("What has been the hardest moment this week?", "inquiry"),
        ("I feel sad hearing that.", "i_feel"),
        ("It takes real courage to say that out loud.", "stroking"),
    ],
)
def test_each_skill_is_found_in_its_words(reply, skill):
    assert skill in skills_in_words(reply)


def test_advice_put_as_a_question_is_not_inquiry():
    assert "inquiry" not in skills_in_words("Have you tried asking your sister?")
