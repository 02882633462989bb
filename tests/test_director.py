"""The client's director: the ear that hears which trap a line falls into, and the note it writes.

The ear's lines here were written for the tests and are in no training file."""

from __future__ import annotations

import re

import pytest

from simulator.domain import Archetype, HiddenState
from simulator.engine.directions import BEHAVIOURS, reaction_to
from simulator.rating.director_ear import traps_heard
from simulator.rating.heads import load_heads


@pytest.mark.parametrize(("line", "trap"), [
    ("Why don't you ask your sister to take her one weekend a month?", "early_advice"),
    ("Have you considered joining a support group?", "early_advice"),
    ("Honestly, you're doing brilliantly. It will all work out.", "reassurance"),
])
def test_the_ear_hears_advice_and_reassurance(line, trap):
    assert trap in traps_heard(line)


@pytest.mark.parametrize("line", [
    "Everyone checks on your mum, and no one checks on you.",
    "It must make your blood boil when yet another expert tells you to pamper yourself.",
    "What was the hardest moment of this week?",
    "It sounds like nobody sees how hard you work.",  # the commonest reflection frame is not a judgement
    "",
])
def test_the_ear_hears_no_trap_in_empathy_a_question_or_a_silence(line):
    assert traps_heard(line) == ()


def test_the_ears_weights_carry_their_record():
    card = load_heads("director").card
    assert card["cross_validation"] == "leave one persona out" and card["rows"] >= 300
    assert set(card["scores"]) == {"early_advice", "reassurance", "judging"}


def test_the_note_tells_the_client_what_the_line_just_did_in_its_archetypes_way():
    guarded, opened = HiddenState(trust=2, resistance=6), HiddenState(trust=8, resistance=2)
    advised = reaction_to(Archetype.YES_BUT, guarded, ("early_advice",))
    assert advised.startswith('Meet the suggestion with "Yeah, but"')
    assert reaction_to(Archetype.YES_BUT, guarded, ()) == ""
    assert reaction_to(Archetype.YES_BUT, opened, ("early_advice",)) == ""
    assert "Snap at being told" in reaction_to(Archetype.HOSTILE, guarded, ("early_advice",))
    assert "rings hollow" in reaction_to(Archetype.HOSTILE, guarded, ("reassurance",))
    assert reaction_to(Archetype.HOSTILE, opened, (), strange=True).startswith("That was a strange thing")
    # What to do, never what not to: naming the slip primes a small model to make it.
    for behaviour in BEHAVIOURS.values():
        for text in (behaviour.guarded, behaviour.opening, behaviour.advice):
            assert not re.search(r"\b(never|no|don't|do not)\b", text, re.IGNORECASE), text
