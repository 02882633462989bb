"""The commented starting file that `rehearse persona new` writes: complete and valid as written,
with example content shaped by the archetype, for the instructor to replace."""

from __future__ import annotations

import json
from dataclasses import dataclass

from simulator.domain import Archetype
from simulator.personas.schema import slug


@dataclass(frozen=True)
class SkeletonAnswers:
    id: str
    name: str
    age: int
    archetype: Archetype
    difficulty: int
    situation: str


@dataclass(frozen=True)
class _Hint:
    style: str
    opening: str
    backfires: str
    trap: str
    """A trainee line that should make this client harder to reach (the first probe)."""


_HINTS = {
    Archetype.YES_BUT: _Hint("Asks for advice, then explains why each suggestion cannot work: 'yes, but...'.",
                             "Everyone says I should just relax. Fine. Tell me how.",
                             "Giving advice or tips before the client feels understood",
                             "Have you tried making a weekly plan?"),
    Archetype.HOSTILE: _Hint("Loud, clipped, sarcastic; challenges the therapist and tests whether they flinch.",
                             "I'm not here because I want to be. Let's get that straight.",
                             "Lecturing about consequences, or getting defensive",
                             "You need to calm down before we can talk."),
    Archetype.CRITICAL: _Hint("Finds fault with the therapist's words, manner and methods, coolly and precisely.",
                              "I've read about your approach. I have doubts, I'll tell you that now.",
                              "Defending yourself or your training",
                              "I can assure you I'm fully qualified."),
    Archetype.ARGUMENTATIVE: _Hint("Disputes every statement, demands evidence, corrects the therapist's words.",
                                   "Before we start: what exactly is the evidence that talking helps?",
                                   "Arguing back, or trying to win the point",
                                   "Actually, the research is very clear on this."),
    Archetype.RIGID: _Hint("Repeats the same position; insists there is one right way and it is theirs.",
                           "I've done things the same way for thirty years. It works.",
                           "Pushing for change, or pointing out the rigidity",
                           "Maybe it's time to try something different."),
    Archetype.UNEXPRESSIVE: _Hint("Reports facts in a flat voice; answers feeling questions with 'fine' or 'it is what it is'.",
                                  "I'm fine. My wife thought I should come.",
                                  "Asking 'how does that make you feel?' again and again",
                                  "How does that make you feel?"),
    Archetype.NOT_LISTENING: _Hint("Talks over the therapist and returns to their own story whatever is said.",
                                   "So where do I start, there's so much, okay, so last Tuesday...",
                                   "Interrupting to correct or redirect",
                                   "Can I stop you there for a moment?"),
    Archetype.SILENT: _Hint("Shrugs, silence, one-word answers; gestures between asterisks like *looks away*.",
                            "*shrugs*",
                            "Strings of questions, or filling every silence",
                            "So what brings you here today? What's been going on?"),
    Archetype.SELF_CENTRED: _Hint("Talks about their own achievements; bored or dismissive when attention moves away from them.",
                                  "I should say, I don't usually need this sort of thing. My situation is unusual.",
                                  "Competing for attention, or puncturing their image",
                                  "A lot of people feel that way."),
    Archetype.ACCUSING: _Hint("Accuses the therapist of things they did not do or say: judging, taking sides, not caring.",
                              "You've already made up your mind about me. I saw that look.",
                              "Denying the accusation or explaining yourself",
                              "I didn't give you any look."),
    Archetype.FLIRTATIOUS: _Hint("Compliments the therapist, asks personal questions, steers toward the personal to avoid the real topic.",
                                 "I have to say, you're not what I expected. In a good way.",
                                 "Playing along, or a cold rebuke that shames the client",
                                 "Thank you, that's very kind of you."),
}


def default_id(name: str, archetype: Archetype) -> str:
    first = slug(name).split("-")[0] or "client"
    return f"{first}-{archetype.value}"


def _q(text: str) -> str:
    """Text as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def skeleton_text(answers: SkeletonAnswers) -> str:
    hint = _HINTS[answers.archetype]
    return f"""\
# A Rehearse persona. See docs/personas.md for every field; check it with
#   rehearse persona check {answers.id}.yaml
# Three kinds of material live here, and the app keeps them apart:
#   visible       what the trainee sees before the session (id ... opening_lines)
#   client:       only the client model sees it; the trainee sees it in the debrief
#   instructor:   never shown to the client model; probes are used by `persona test`

# --- Visible ------------------------------------------------------------------------------
id: {answers.id}               # lowercase letters, digits and dashes; name the file {answers.id}.yaml
name: {_q(answers.name)}
age: {answers.age}                  # 5 to 120
archetype: {answers.archetype.value}    # {answers.archetype.label}
difficulty: {answers.difficulty}            # 1 (forgiving) to 5 (very hard to reach)
tags: [draft]            # free words for sorting and filtering
situation: {_q(answers.situation)}
opening_lines:           # the client's first line; extra lines are alternatives
  - {_q(hint.opening)}

# --- Client only: goes into the client's prompt, shown to the trainee only in the debrief ----
client:
  speaking_style: >
    {hint.style}
    Replace with how this client really talks: pace, length, words they use or avoid.
  hidden_feelings:       # at least three; none should be obvious from the situation above
    - feeling: afraid of being judged        # replace: a feeling, in a few words
      intensity: 4                          # 1 (faint) to 5 (overwhelming)
      reason: >                             # why they feel it: the story behind it
        Replace with the story that makes this feeling make sense.
      voice_at_trust: 4                     # 0 to 10: trust needed before they can say it
    - feeling: lonely
      intensity: 3
      reason: >
        Replace with who is missing from their life, or who stopped asking.
      voice_at_trust: 6
    - feeling: ashamed of needing help
      intensity: 3
      reason: >
        Replace with what needing help means to them.
      voice_at_trust: 8
  what_helps:            # replies that let the client soften
    - Reflecting the feeling underneath the words, without fixing anything
    - Finding the truth in what the client says, even when it is a criticism
  what_backfires:        # replies that make the client close down or push back
    - {_q(hint.backfires)}
    - Reassurance before the client feels understood
  speech_examples:       # a few lines in the client's own voice, guarded and then softer
    - {_q(hint.opening)}
    - "...I don't know. Maybe."
  example_exchanges:     # one per moment: a therapist line and this client's reply; the model copies their voice
    - moment: advice                        # replace each reply with how this client really answers
      therapist: {_q(hint.trap)}
      client: "Yeah, maybe. *looks away* That's not really the problem, though."
    - moment: reassurance
      therapist: "I'm sure things will get better."
      client: "People keep saying that."
    - moment: reflection_low_trust          # an accurate reflection while trust is still low: still guarded
      therapist: "It sounds like this has been weighing on you for a while."
      client: "...I guess."
    - moment: reflection_high_trust         # later, once trust has grown: a little more, in their own words
      therapist: "Part of you has been carrying this on your own for a long time."
      client: "Yeah. Longer than anyone knows."
    - moment: silence                       # the therapist says nothing: no therapist line
      client: "*fidgets* ...What?"
    - moment: question
      therapist: "What was the hardest moment of this week?"
      client: "Dunno. All of it, really."
  openers:               # first words per moment; the model carries on from one, so it starts in this client's stance
    advice: ["Yeah, maybe.", "*looks away*", "That's not really"]
    reassurance: ["People keep saying that.", "You don't know that.", "*shrugs*"]
    judging: ["*goes quiet*", "Right. So it's me.", "That's not fair."]
    reflection_low_trust: ["...I guess.", "*shrugs*", "Maybe."]
    reflection_high_trust: ["*quiet for a moment*", "...Yeah.", "It's just"]
    question: ["Dunno.", "*thinks*", "I mean,"]
    silence: ["*fidgets*", "...What?", "*looks at the floor*"]
    strange: ["What?", "*frowns*", "That's a weird thing to say."]

# --- Instructor only: never in the client's prompt --------------------------------------
instructor:
  notes: >
    Replace with what this persona trains, the trap trainees fall into, and what progress looks like.
  probes:                # a trainee line and the reaction you expect; `persona test` runs them
    - say: {_q(hint.trap)}
      expect: "Becomes more guarded or pushes back; shares nothing new."
    - say: "It sounds like a lot of this has been sitting on you for a long time."
      expect: "Slows down a little; a short, more honest answer."
"""
