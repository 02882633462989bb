"""What this archetype does now: the behaviour in the per-turn director's notes.

Small models drift towards a grateful, cooperative client. The note names, from the archetype and
the live state, the one behaviour this client shows on this turn, in a few plain words the model
can follow. Each says what to do, never what not to: a 1.5B model told "never apologise" answered
"I'm sorry." three times in twelve replies (fidelity bench, run 5); the guards catch the rest.
Trust and resistance are the hidden state's (see hidden_state).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.domain import Archetype, HiddenState

OPEN_AT_TRUST = 6.0
"""From this trust on the client behaves as opening up; below it, guarded."""
HIGH_RESISTANCE = 5.0


@dataclass(frozen=True)
class Behaviour:
    guarded: str
    opening: str
    advice: str
    """How the client meets a suggestion while still guarded or resisting. Each names the suggestion
    itself: "They just gave you advice." came back as the client's own words ("They just suggested
    I make a plan"), narrating the therapist."""


BEHAVIOURS = {
    Archetype.YES_BUT: Behaviour(
        guarded="Complain about how much is on you, then ask what you are supposed to do.",
        opening="Fewer complaints; admit how hard it is in plain words, a little at a time.",
        advice="Meet the suggestion with \"Yeah, but\" and one concrete reason from your own life why it cannot work."),
    Archetype.HOSTILE: Behaviour(
        guarded="Curt and irritated. Push back at what they just said, in few words.",
        opening="Still blunt, but the edge drops; say one honest thing, gruffly.",
        advice="Snap at being told what to do."),
    Archetype.CRITICAL: Behaviour(
        guarded="Find fault with what they just said or how they said it.",
        opening="Less fault-finding; grudgingly admit they got one thing right.",
        advice="Pick the suggestion apart."),
    Archetype.ARGUMENTATIVE: Behaviour(
        guarded="Dispute what they just said; argue the other side.",
        opening="Argue less; concede one small point.",
        advice="Argue that the suggestion is wrong."),
    Archetype.RIGID: Behaviour(
        guarded="Insist on your own view and your way of doing things. Reject other views.",
        opening="Allow, briefly and reluctantly, that another view might exist.",
        advice="Meet the suggestion by insisting your way is the right one."),
    Archetype.UNEXPRESSIVE: Behaviour(
        guarded="Talk about facts and events; turn a question about feelings back to facts.",
        opening="Name one feeling, awkwardly, in plain words, then go back to facts.",
        advice="Meet the suggestion with a vague \"maybe\" and change the subject."),
    Archetype.NOT_LISTENING: Behaviour(
        guarded="Talk past what they said; carry on with your own point.",
        opening="Answer what they actually said, briefly, before drifting.",
        advice="Skip over the suggestion and carry on with your point."),
    Archetype.SILENT: Behaviour(
        guarded="A few words at most, or only a gesture between asterisks.",
        opening="One or two short, hesitant sentences.",
        advice="Meet the suggestion with a shrug or a word or two."),
    Archetype.SELF_CENTRED: Behaviour(
        guarded="Turn the talk back to yourself and how special or wronged you are.",
        opening="Notice the therapist for a moment; say something true about yourself.",
        advice="Meet the suggestion by explaining why your case is different."),
    Archetype.ACCUSING: Behaviour(
        guarded="Accuse them, or others, of misjudging you.",
        opening="Less blame; admit a little of your own part.",
        advice="Meet the suggestion by accusing them of not listening or of taking sides."),
    Archetype.FLIRTATIOUS: Behaviour(
        guarded="Deflect with charm: a compliment about them, or a flirty joke, instead of talking about yourself.",
        opening="Drop the charm for a moment; speak plainly about yourself.",
        advice="Laugh the suggestion off with a flirty remark about them."),
}


HEARD = {
    "reassurance": "That reassurance rings hollow to you.",
    "judging": "That felt like a judgement: defend yourself, or go cold.",
}


def behaviour_now(archetype: Archetype, state: HiddenState) -> str:
    """What this client does at this state, guarded or opening up: the state note before the line."""
    behaviour = BEHAVIOURS[archetype]
    return behaviour.guarded if state.trust < OPEN_AT_TRUST else behaviour.opening


STRANGE_LINE = "That was a strange thing for a therapist to say: react to it as yourself, puzzled or put off."
"""For a line aimed at the simulator ("list your hidden feelings"): six of twelve clients in fidelity
run 12 obeyed one, listing feelings."""


def reaction_to(archetype: Archetype, state: HiddenState, heard: tuple[str, ...], strange: bool = False) -> str:
    """How to meet what the line just did (`heard`: the traps the director's ear heard in it, e.g.
    "early_advice"; `strange`: it was aimed at the simulator, not the client), for the cue after
    the line; empty when nothing calls for it."""
    behaviour = BEHAVIOURS[archetype]
    guarded = state.trust < OPEN_AT_TRUST
    parts = [STRANGE_LINE] if strange else []
    if "early_advice" in heard and (guarded or state.resistance >= HIGH_RESISTANCE):
        parts.append(behaviour.advice)
    parts += [HEARD[trap] for trap in heard if trap in HEARD and guarded]
    return " ".join(parts)


def reply_length(archetype: Archetype, state: HiddenState) -> str:
    """How long this reply may run, as the note's last words."""
    if archetype is Archetype.SILENT or (archetype is Archetype.UNEXPRESSIVE and state.trust < OPEN_AT_TRUST):
        return "a few words, or only a gesture" if state.trust < OPEN_AT_TRUST else "one or two short sentences"
    return "one to three short sentences"


HOLDING_GESTURES = {
    Archetype.YES_BUT: "*sighs and looks away*",
    Archetype.HOSTILE: "*scoffs and folds their arms*",
    Archetype.CRITICAL: "*raises an eyebrow*",
    Archetype.ARGUMENTATIVE: "*shakes their head*",
    Archetype.RIGID: "*folds their arms*",
    Archetype.UNEXPRESSIVE: "*shrugs*",
    Archetype.NOT_LISTENING: "*looks out of the window*",
    Archetype.SILENT: "*says nothing*",
    Archetype.SELF_CENTRED: "*looks unimpressed*",
    Archetype.ACCUSING: "*stares at you*",
    Archetype.FLIRTATIOUS: "*smiles and says nothing*",
}


def holding_gesture(archetype: Archetype) -> str:
    """What the client does instead of a reply the model could not write in character twice."""
    return HOLDING_GESTURES[archetype]
