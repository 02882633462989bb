"""The first words of the client's reply: which moment a line is, which opener fits, and a session
that hands them to a client model that carries replies on."""

from __future__ import annotations

import pytest

from simulator.domain import HiddenState
from simulator.engine.openers import choose_opening, opener_moment
from simulator import paths
from simulator.personas.loader import load_library

GUARDED, OPENED = HiddenState(trust=2, resistance=8), HiddenState(trust=8, resistance=2)


@pytest.mark.parametrize(("state", "heard", "kind", "moment"), [
    (GUARDED, ("early_advice",), {}, "advice"),
    (OPENED, ("early_advice",), {}, ""),  # open and unresisting: the client may take it up
    (HiddenState(trust=7, resistance=6), ("early_advice",), {}, "advice"),
    (GUARDED, ("reassurance",), {}, "reassurance"),
    (GUARDED, ("judging", "reassurance"), {}, "judging"),
    (OPENED, ("judging",), {}, ""),
    (GUARDED, (), {"question": True}, "question"),
    (OPENED, (), {"question": True}, ""),
    (GUARDED, (), {}, "reflection_low_trust"),
    (OPENED, (), {}, "reflection_high_trust"),
    (GUARDED, (), {"silence": True}, "silence"),
    (OPENED, ("early_advice",), {"strange": True}, "strange"),
])
def test_each_line_is_met_at_its_moment(state, heard, kind, moment):
    flags = {"silence": False, "strange": False, "question": False, **kind}
    assert opener_moment(state, heard, **flags) == moment


def dana():
    return load_library([paths.BUILTIN_PERSONAS_DIR]).get("dana-yes-but")


def test_openers_turn_over_and_come_back_only_once_all_have_been_used():
    persona = dana()
    advice = persona.client.openers["advice"]
    assert len(advice) >= 2
    chosen = {choose_opening(persona, "advice", [], turn) for turn in range(len(advice))}
    assert chosen == set(advice)
    first = choose_opening(persona, "advice", [], 0)
    # The rewrite of a reply takes another opening.
    assert choose_opening(persona, "advice", [], 0, attempt=1) != first
    # An opening that began a reply earlier in the session waits while others are fresh, whatever the turn.
    earlier = [f"{first} it never works.", "*shrugs*", "Whatever.", "Fine.", "Okay."]
    assert all(choose_opening(persona, "advice", earlier, turn) != first for turn in range(6))
    # Once every one has been used, the one used longest ago comes back.
    used = [f"{text} and so on." for text in advice]
    assert choose_opening(persona, "advice", used, 5) == advice[0]
    assert choose_opening(persona, "", [], 0) == ""


def test_a_persona_without_openers_gets_none():
    from dataclasses import replace

    persona = dana()
    bare = replace(persona, client=replace(persona.client, openers={}))
    assert choose_opening(bare, "advice", [], 0) == ""


def test_every_built_in_persona_has_openers_for_every_moment_in_its_own_words():
    from simulator.domain import OPENER_MOMENTS

    for persona in load_library([paths.BUILTIN_PERSONAS_DIR]):
        assert set(persona.client.openers) == set(OPENER_MOMENTS), persona.id
        for texts in persona.client.openers.values():
            assert len(set(texts)) == len(texts) >= 2
            assert all(0 < len(text.split()) <= 8 for text in texts)
            for feeling in persona.client.hidden_feelings:
                assert not any(feeling.feeling.lower() in text.lower() for text in texts), persona.id


async def test_a_session_starts_the_reply_from_an_opener_on_an_endpoint_that_carries_on(server, isolated_env):
    import os

    from simulator.context import AppContext
    from simulator.settings import load_settings

    context = AppContext(load_settings({"model": {"base_url": server.base_url}, "client": {"prefill": "on"}},
                                       env=dict(os.environ)))
    engine = context.begin_session("dana-yes-but")
    server.chat.append(" my sister lives three hundred miles away.")
    pieces = [piece async for piece in engine.say("Have you thought about asking your sister to help?")]
    request = server.chat_requests()[-1].body
    opening = request["messages"][-1]
    assert opening["role"] == "assistant" and opening["content"] in engine.persona.client.openers["advice"]
    assert request["continue_final_message"] is True
    assert pieces[0] == opening["content"]  # shown at once, before the model's first word
    reply = engine.branch.turns[-1].text
    assert reply == opening["content"] + " my sister lives three hundred miles away."
    await context.aclose()


async def _engine_with_advice_openers(server, openers):
    import dataclasses
    import os

    from simulator.context import AppContext
    from simulator.settings import load_settings

    context = AppContext(load_settings({"model": {"base_url": server.base_url}, "client": {"prefill": "on"}},
                                       env=dict(os.environ)))
    engine = context.begin_session("dana-yes-but")
    persona = engine.persona
    engine.replace_persona(dataclasses.replace(
        persona, client=dataclasses.replace(persona.client, openers={**persona.client.openers, "advice": openers})))
    return context, engine


async def test_a_finished_opener_the_model_spoils_is_cut_back_to_without_a_second_draft(server, isolated_env):
    from simulator.engine.session import Redo

    context, engine = await _engine_with_advice_openers(server, ("Tried that already.",))
    server.chat.append(" Let's talk about what you need to do.")  # the client steering like a therapist
    server.chat.append(" Mum would never have it.")  # what a rewrite would have said: never asked for
    asked = len(server.chat_requests())
    pieces = [piece async for piece in engine.say("Have you thought about asking your sister to help?")]
    assert len(server.chat_requests()) == asked + 1
    assert any(isinstance(piece, Redo) and "spoke as the therapist" in piece.reason for piece in pieces)
    assert pieces[-1] == "Tried that already."
    assert engine.branch.turns[-1].text == "Tried that already."
    assert engine.guard_counts["cut_to_opener"] == 1 and engine.guard_counts["rewritten"] == 0
    await context.aclose()


async def test_an_unfinished_opener_the_model_spoils_is_rewritten_from_another(server, isolated_env):
    context, engine = await _engine_with_advice_openers(server, ("Tried that already. Problem is,", "Sure, only"))
    server.chat.append(" let's talk about what you need to do.")
    server.chat.append(" Mum would never have it.")
    asked = len(server.chat_requests())
    [piece async for piece in engine.say("Have you thought about asking your sister to help?")]
    assert len(server.chat_requests()) == asked + 2
    assert engine.branch.turns[-1].text.endswith("Mum would never have it.")
    assert engine.guard_counts["cut_to_opener"] == 0 and engine.guard_counts["rewritten"] == 1
    await context.aclose()


@pytest.mark.parametrize(("opening", "reply", "alone"), [
    ("You'd say that to anyone.", "You'd say that to anyone. But I'll try.", True),
    ("*shrugs*", "*shrugs* Maybe.", True),
    ("Tried that already. Problem is,", "Tried that already. Problem is, no time.", False),  # unfinished
    ("You'd say that to anyone.", "You'd say that to anyone.", False),  # nothing to cut
    ("", "Whatever.", False),
])
def test_only_a_finished_opener_with_more_after_it_can_stand_alone(opening, reply, alone):
    from simulator.engine.openers import opener_stands_alone

    assert opener_stands_alone(opening, reply) is alone
