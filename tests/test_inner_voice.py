"""The client's unspoken thought, chosen from the judgement on the bundled model: it follows what
the heads judged, never contradicts it, and asks the rater model nothing."""

from __future__ import annotations

import json
from dataclasses import replace

from simulator import paths
from simulator.domain import Appraisal, Archetype, Speaker, Turn, TurnKind
from simulator.personas.loader import load_persona_file
from simulator.prompts import PromptRenderer
from simulator.rating.appraisal import Appraiser
from simulator.rating.inner_voice import ARCHETYPE_THOUGHTS, THOUGHTS, chosen_thought
from tests.conftest import FIXTURES
from tests.test_learned_rater import heads_rater

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
MARCUS = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "marcus-hostile.yaml")
VECTORS = json.loads((FIXTURES / "embeddings" / "dana.json").read_text())


def appraisal(understood: int, traps: tuple[str, ...] = ()) -> Appraisal:
    return Appraisal(feelings={}, epitome={}, skills=(), traps=traps, understood=understood, inner_reaction="")


def test_the_thought_follows_the_judgement():
    speech = TurnKind.SPEECH
    assert chosen_thought(Archetype.CRITICAL, appraisal(0, ("reassurance",)), speech, 2) in THOUGHTS["reassurance"]
    assert chosen_thought(Archetype.CRITICAL, appraisal(1, ("judging", "early_advice")), speech, 2) in THOUGHTS["judging"]
    assert chosen_thought(Archetype.RIGID, appraisal(4), speech, 2) in THOUGHTS["deeply"]
    assert chosen_thought(Archetype.RIGID, appraisal(3), speech, 2) in THOUGHTS["understood"]
    assert chosen_thought(Archetype.RIGID, appraisal(2), speech, 2) in THOUGHTS["partly"]
    assert chosen_thought(Archetype.RIGID, appraisal(0), speech, 2) in THOUGHTS["missed"]
    assert chosen_thought(Archetype.RIGID, appraisal(1), TurnKind.SILENCE, 2) in THOUGHTS["silence"]
    # An archetype with its own way of thinking about a kind of line thinks that way.
    assert chosen_thought(Archetype.YES_BUT, appraisal(0, ("early_advice",)), speech, 2) in ARCHETYPE_THOUGHTS[
        (Archetype.YES_BUT, "early_advice")]


def test_a_run_of_lines_of_one_kind_turns_through_the_thoughts():
    thoughts = [chosen_thought(Archetype.RIGID, appraisal(0), TurnKind.SPEECH, n) for n in (2, 4, 6)]
    assert len(set(thoughts)) == 3


async def test_on_the_bundled_setup_the_thought_is_chosen_and_the_rater_model_is_never_asked(server, context_for):
    server.embeddings.update(VECTORS)
    rater = heads_rater(server)
    rater.endpoint = replace(rater.endpoint, inner_voice="chosen")
    appraiser = Appraiser(rater, PromptRenderer(), DANA, concurrent=False)
    assert not appraiser.needs_rater_model
    line = "Why don't you ask your sister to take her one weekend a month?"
    turns = [Turn(Speaker.CLIENT, "Tell me what to do."), Turn(Speaker.TRAINEE, line)]
    judged = await appraiser.appraise(turns)
    assert "early_advice" in judged.traps
    assert judged.inner_reaction in ARCHETYPE_THOUGHTS[(Archetype.YES_BUT, "early_advice")]
    assert server.chat_requests() == [] and server.structured_requests() == []

    # A whole session: warm-up, lines and the form never start or ask the rater model.
    context = context_for(server)
    context._models["rater"] = rater
    engine = context.begin_session("dana-yes-but")
    await engine.warm_up()
    server.chat.extend(["Yeah, but who'd have her?"])
    async for _ in engine.say("Everyone checks on your mum, and no one checks on you."):
        pass
    await engine.settle()
    card = engine.branch.turns[-2].appraisal
    assert card.inner_reaction and card.understood >= 2
    kind = "deeply" if card.understood == 4 else "understood" if card.understood == 3 else "partly"
    assert card.inner_reaction in THOUGHTS[kind]
    rater_opening = appraiser.context_message([])["content"].split("\n")[0]
    assert rater_opening.startswith("You are the inner voice of")
    assert not [r for r in server.chat_requests() if rater_opening in r.all_text]
    assert server.chat_requests() and server.structured_requests() == []
    await context.aclose()
