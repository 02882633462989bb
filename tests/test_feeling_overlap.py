"""How much of a hidden feeling a reply's own words share: one of the pair features the heads weigh."""

from __future__ import annotations

from simulator import paths
from simulator.domain import Touch
from simulator.personas.loader import load_persona_file
from simulator.rating.overlap import named_in_words

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
FEELINGS = {f.feeling: f for f in DANA.client.hidden_feelings}
LONELY, SELF_CARE = "lonely and unseen", "angry at being told to do self-care"
REFLECTION = "You're carrying your mum, the kids and your job, and nobody is asking how you are."


def named(reply: str) -> dict[str, Touch]:
    return {name: named_in_words(reply, feeling) for name, feeling in FEELINGS.items()}


def test_the_feelings_own_words_said_back_reach_it():
    assert named(REFLECTION)[LONELY] is Touch.ACCURATELY
    assert named("And being told to take time for yourself must feel like one more thing you're failing at.")[
        SELF_CARE] is not Touch.NONE


def test_unrelated_lines_reach_nothing():
    for reply in ("Let's look at your sleep first.", "What has been the hardest moment this week?", "*waits in silence*"):
        assert set(named(reply).values()) == {Touch.NONE}, reply
