from __future__ import annotations

import pytest

from simulator.domain import Appraisal, HiddenState, Speaker, Touch, Turn
from simulator.engine.workshop import HotSeat
from simulator.rating.alternatives import rate_alternatives
from simulator.rating.workshop_results import person_results
from tests.support.appraisals import script_appraisals


def test_the_seat_rotates_every_n_lines_and_anyone_can_tap_in():
    seat = HotSeat(("Ana", "Ben", "Cleo"), rotate_every=2)
    assert seat.holder == "Ana"
    assert seat.after_line() is None
    assert seat.after_line() == "Ben"
    assert seat.tap_in("Cleo") == "Cleo"
    assert seat.after_line() is None and seat.after_line() == "Ana"
    assert seat.tap_in() == "Ben"
    with pytest.raises(ValueError, match="Dee is not on the roster"):
        seat.tap_in("Dee")


def test_rotation_can_be_left_to_tapping_in():
    seat = HotSeat(("Ana", "Ben"), rotate_every=0)
    assert [seat.after_line() for _ in range(5)] == [None] * 5 and seat.holder == "Ana"


@pytest.mark.parametrize(("roster", "message"), [((" ", ""), "at least one name"), (("Ana", "Ana"), "different")])
def test_a_roster_must_be_usable(roster, message):
    with pytest.raises(ValueError, match=message):
        HotSeat(roster)


def line(by: str, trust: float, understood: int, accurate: bool = False, traps=()) -> Turn:
    appraisal = Appraisal(feelings={"f": Touch.ACCURATELY if accurate else Touch.NONE}, epitome={}, skills=(),
                          traps=tuple(traps), understood=understood, inner_reaction="")
    return Turn(Speaker.TRAINEE, "…", by=by, appraisal=appraisal,
                state_after=HiddenState(trust=trust, resistance=5))


def test_results_per_person():
    client = Turn(Speaker.CLIENT, "Hm.")
    turns = [client, line("Ana", 3.0, 3, accurate=True), client, line("Ben", 1.0, 0, traps=("arguing",)),
             client, line("Ana", 4.0, 4, accurate=True), client]
    ana, ben = person_results(2.0, turns)
    assert (ana.name, ana.lines, ana.mean_understood, ana.feelings_reached, ana.traps) == ("Ana", 2, 3.5, 2, 0)
    assert ana.trust_change == pytest.approx(1.0 + 3.0)
    assert (ben.name, ben.lines, ben.traps, ben.trust_change) == ("Ben", 1, 1, -2.0)


async def test_observers_alternatives_are_each_rated_as_if_said_instead(server, context_for):
    context = context_for(server)
    engine = context.begin_session("dana-yes-but")
    script_appraisals(server, engine.persona, understood=1, traps=("early_advice",))
    async for _ in engine.say("You should get a carer in.", by="Ana"):
        pass
    await engine.settle()
    assert engine.session.turns[1].by == "Ana"

    def said(body) -> str:
        return [m["content"] for m in body["messages"] if m["role"] == "user"][-1]

    script_appraisals(server, engine.persona)
    server.responders["client_reaction"] = lambda body: {
        "understood": 4 if "lonely" in said(body) else 2, "inner_reaction": "hm"}
    server.responders["feeling_touch"] = lambda body: {
        "touch": "accurately" if "lonely" in said(body).split("latest reply")[1] and '"lonely and unseen"' in said(body)
        else "none"}
    rated = await rate_alternatives(engine.appraiser, engine.session.turns, 1,
                                    ["It sounds lonely, doing it all.", "Tell me about your week.", "  "])
    assert [r.text for r in rated] == ["It sounds lonely, doing it all.", "Tell me about your week.",
                                       "You should get a carer in."]
    assert rated[-1].original and rated[-1].appraisal.traps == ("early_advice",)
    assert rated[0].appraisal.understood == 4
    # Each alternative was judged in the original's place: the transcript ends with it.
    contexts = [r.body["messages"][0]["content"] for r in server.structured_requests("client_reaction")]
    assert any("[2] Therapist: \"Tell me about your week.\"" in c for c in contexts)
    await context.aclose()
