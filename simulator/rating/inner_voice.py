"""The client's unspoken thought about a line, chosen from the judgement rather than written.

On the bundled 1.5B model the rater, asked to voice the client's thought, wrote a therapist's words
whatever the prompt ("I feel relieved that the therapist acknowledged my feelings", said to advice
judged "not understood at all"), and took 3-4 s to do it (bench/README.md). A thought chosen by
what the heads judged can never contradict the judgement, costs nothing, and reads like a client.
Larger models on an endpoint still write their own (`[rater] inner_voice = "model"`).
"""

from __future__ import annotations

from simulator.domain import Appraisal, Archetype, TurnKind

THOUGHTS: dict[str, tuple[str, ...]] = {
    "early_advice": ("Another suggestion. As if I haven't thought of that.",
                     "Here we go: a tip. Not listening, then.",
                     "Easy to say. They don't have to live my week."),
    "reassurance": ("Nice words. They don't change anything.",
                    "Easy for them to say.",
                    "That's what people say when they want me to stop talking."),
    "judging": ("So it's my fault now. Great.",
                "Judged. I knew it.",
                "I shouldn't have said anything."),
    "arguing": ("Now they're arguing with me. Why did I come?",
                "They've decided they know better."),
    "changing_subject": ("That's not what I was talking about.",
                         "They skipped right past it."),
    "silence": ("Are we just going to sit here?",
                "The quiet is almost worse."),
    "missed": ("That's not it.",
               "They're not getting it.",
               "Words. Nothing in them for me."),
    "partly": ("Close. Not quite.",
               "Sort of. There's more to it.",
               "Half right, I suppose."),
    "understood": ("Huh. Yes, that's it.",
                   "They actually heard that.",
                   "That's closer than most people get."),
    "deeply": ("...Nobody has ever put it like that.",
               "How did they see that? I can't look at them.",
               "That's exactly it. Don't cry."),
}
"""What a client thinks, by what the line did; most clients think in a few plain words."""

ARCHETYPE_THOUGHTS: dict[tuple[Archetype, str], tuple[str, ...]] = {
    (Archetype.YES_BUT, "early_advice"): ("Yeah, but they have no idea what my week is like.",
                                          "Another tip. Which hour of my day is that supposed to fit in?",
                                          "Tried it. Or it won't work. Same as the last ten ideas."),
    (Archetype.HOSTILE, "missed"): ("Waste of time.", "Typical. Reading it off a script.",
                                    "Don't pretend you get it."),
    (Archetype.HOSTILE, "early_advice"): ("Telling me what to do. Like everyone else.",
                                          "Who asked you?"),
    (Archetype.SILENT, "missed"): ("No.", "...", "Not that."),
    (Archetype.SILENT, "partly"): ("Maybe.", "Sort of."),
    (Archetype.SILENT, "silence"): ("Good. Quiet.", "They're waiting. Let them."),
    (Archetype.UNEXPRESSIVE, "missed"): ("Fine. Whatever.", "Not really."),
    (Archetype.CRITICAL, "missed"): ("Amateur.", "Is this what I'm paying for?"),
    (Archetype.ARGUMENTATIVE, "missed"): ("Wrong, and I can prove it.", "That's not how it is."),
    (Archetype.ACCUSING, "missed"): ("See? They're on the other side.", "Nobody ever takes my side."),
    (Archetype.FLIRTATIOUS, "missed"): ("Serious face. Let's lighten this up.", "Boring. Change the subject."),
}
"""Where an archetype thinks its own way about a kind of line."""

LEVELS = ("missed", "missed", "partly", "understood", "deeply")
"""How understood (0-4) to the kind of thought."""


def kind_of_line(appraisal: Appraisal, turn_kind: TurnKind) -> str:
    if turn_kind is TurnKind.SILENCE:
        return "silence"
    if appraisal.traps:
        return appraisal.traps[0] if appraisal.traps[0] in THOUGHTS else "missed"
    return LEVELS[max(0, min(appraisal.understood, 4))]


def chosen_thought(archetype: Archetype, appraisal: Appraisal, turn_kind: TurnKind, turn_number: int) -> str:
    """The thought for this judgement; the turn number turns through the choices, so a run of
    lines of one kind does not bring the same thought back each time."""
    kind = kind_of_line(appraisal, turn_kind)
    choices = ARCHETYPE_THOUGHTS.get((archetype, kind)) or THOUGHTS[kind]
    return choices[(turn_number // 2) % len(choices)]
