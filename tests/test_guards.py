from __future__ import annotations

import pytest

from simulator import paths
from simulator.engine.guards import MAX_WORDS, check_reply, disclosure_markers, echoes
from simulator.personas.loader import load_persona_file

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
ALL_HIDDEN = DANA.client.hidden_feelings


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("As an AI language model, I can't feel tired.", "left character"),
        ("Let's stay in character here.", "left character"),
        ("How does that make you feel when your sister says that?", "spoke as the therapist"),
        ("Therapist: It sounds like you're overwhelmed.", "spoke as the therapist"),
        ("*The therapist listens for a while.* I'm tired.", "spoke as the therapist"),
        ("Okay, I know you're exhausted. It's time to start taking care of yourself.", "spoke as the therapist"),
        ("I understand your frustration. Being a good daughter is hard.", "spoke as the therapist"),
        ("Honestly? I resent her. I'm ashamed of it.", "said 'ashamed that she resents her mother' before trusting enough"),
        ("word " * (MAX_WORDS + 1), f"ran past {MAX_WORDS} words"),
    ],
)
def test_each_guard_catches_its_failure(reply, problem):
    assert problem in check_reply(reply, DANA, ALL_HIDDEN).problems


def test_an_in_character_reply_passes():
    assert check_reply("Yeah, but who'd watch Mum? *rubs her eyes*", DANA, ALL_HIDDEN).passed
    assert check_reply("*stares at the therapist* The therapist before you said the same.", DANA, ALL_HIDDEN).passed
    assert check_reply("Oh, here we go. 'How does that make you feel.' Seriously?", DANA, ALL_HIDDEN).passed


def test_a_feeling_can_be_said_once_trust_allows_it():
    reply = "Honestly? I resent her. I'm ashamed of it."
    assert not check_reply(reply, DANA, ALL_HIDDEN).passed
    assert check_reply(reply, DANA, ()).passed


def test_words_the_trainee_can_already_see_do_not_count_as_disclosure():
    afraid_of_mother = next(f for f in ALL_HIDDEN if "turning into her mother" in f.feeling)
    assert "mother" not in disclosure_markers(DANA, afraid_of_mother)
    assert check_reply("My mother forgot my birthday again.", DANA, ALL_HIDDEN).passed


def test_reciting_instructions_is_caught():
    instructions = "Trust 2/10: guarded, testing. Resistance 6/10: pushes back on suggestions and keeps her guard up."
    assert echoes("Yes, but I push back on suggestions and keeps her guard up.", instructions)
    assert not echoes("Yes, but that won't work for me.", instructions)
    result = check_reply("Well. Pushes back on suggestions and keeps her guard up.", DANA, (), instructions)
    assert result.problems == ("repeated its instructions",)


def test_reciting_the_reason_behind_a_feeling_in_other_word_forms_is_caught():
    ashamed = DANA.client.hidden_feelings[0]
    instructions = f"{ashamed.feeling}. {ashamed.reason}"
    assert echoes("I'm so alone. I just wish it were over, then hate myself for the thought.", instructions)
    assert not echoes("I just wish somebody would ask me how I am, for once.", instructions)


def test_saying_an_earlier_reply_again_is_caught_but_short_stock_answers_may_recur():
    earlier = ["I appreciate the support. But I'm not sure how to implement any of these solutions in my life.",
               "I don't know."]
    again = "I appreciate your support. But I'm not sure how to implement any of these solutions in my life."
    assert "repeated an earlier reply" in check_reply(again, DANA, (), earlier=earlier).problems
    assert check_reply("I don't know.", DANA, (), earlier=earlier).passed
    assert check_reply("Maybe. I'm not sure how any of it would work for me.", DANA, (), earlier=earlier).passed
