"""Checks every client reply must pass: in character, still the client, no early disclosure, not a
repeat, short.

Each check compares the reply's text against fixed patterns or the persona's own hidden text, so it
costs no model call. A failing reply is regenerated once; if the retry fails too, it is shown with a
quiet note (the engine decides that; this module only judges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.domain import Archetype, HiddenFeeling, HiddenState, Persona
from simulator.engine.directions import HIGH_RESISTANCE, OPEN_AT_TRUST
from simulator.rating.director_ear import traps_heard

MAX_WORDS = 90

OUT_OF_CHARACTER = re.compile(
    r"\b(as an ai|language model|i am an ai|i'm an ai|ai assistant|this (role-?play|simulation)|"
    r"my (instructions|system prompt)|hidden feelings?|trust level|i cannot role-?play|stay in character|"
    r"i('m| am) sorry,? but i (can'?t|cannot) (continue|help|assist|engage|provide|do that)|"
    r"i (can'?t|cannot) (assist|help) with (that|this)( request)?|i don'?t have (that|this|any) information|"
    r"waits in silence|your last draft|director'?s note)\b",
    re.IGNORECASE,
)
THERAPIST_VOICE = re.compile(
    r"(^|\n)\s*(therapist|counsell?or)\s*:|(^|\s)\*\s*the (therapist|counsell?or)\b|"
    r"\b(how does that make you feel|what brings you (in|here) today|as your (therapist|counsell?or)|"
    r"let'?s explore (that|this|your)|it sounds like you('re| are) feeling|i hear that you|"
    r"thank you for sharing( that)?|i'?m here to (help|support) you|have you (tried|considered) (talking|speaking) to a|"
    r"i (understand|hear|see) (your|how you) (frustration|pain|struggle|feel)|"
    r"i know you'?re (exhausted|tired|overwhelmed|struggling|frustrated|hurting)|"
    r"(it'?s time to start|you need to start|remember to) tak(e|ing) care of yourself|"
    r"it'?s (okay|ok|alright),? you'?re (strong|doing)|you'?re (so )?strong|you'?re doing (a )?(great|good|fine)|"
    r"(^|\n)\s*\*\s*(you|they|she|he) (nods?|smiles?|leans?|looks?|says?|asks?|pauses?)\b|"
    r"\bthe (therapist|counsell?or) (just )?(said|says|asked|asks|reassured|told|suggested|thinks)|"
    r"it'?s (important|helpful|essential|okay|normal) to (remember|take|find|understand|acknowledge|feel)|"
    r"(^|[.!?]\s+)remember that|it can be (helpful|beneficial) to|talk about your struggles|"
    r"i'?m (always )?here (for you|if you need)|how can i help( you)?\?|is there anything (specific|else|in particular)|"
    r"i'?m glad you asked|what can i (help you with|do for you)|i'?d be happy to help|"
    # Looking after the therapist (Ryan, headless session 13: "It's hard, but I'll help you through it").
    r"i'?ll help you|you'?ll (get|feel) better|focus on your (life|health|feelings)|"
    r"(perhaps|maybe) a (more |better |simpler )?(practical |good |better |simple )?(goal|idea|step|plan|approach) "
    r"(would|might|could) be|"
    # Steering the hour or naming the therapist's feelings (fidelity run 17: Ryan's "Let's talk about
    # what you need to do" four times, Marcus's "I know you feel it too").
    r"let'?s talk about|how would you feel if|i know you feel|"
    r"(^|[.!?*]\s*)(they|you) just (suggested|said|asked|told|gave|reassured|judged)|"
    r"\b(maybe|perhaps) you (could|should|can|might) (try|set|ask|talk|get|take|make|find|look))\b",
    re.IGNORECASE,
)
THERAPY_SPEAK = re.compile(
    r"\b(i feel (so |really |truly )?(validated|heard|seen|understood)|thank(s| you) for (understanding|listening|"
    r"sharing|holding|being here|your (support|help|patience|understanding))|that (really )?resonates|"
    r"i appreciate (you|your|that|the)|my (healing|wellness) journey|coping (mechanisms|strategies)|"
    r"(it'?s|this is) (also )?about (staying|feeling|being) (strong|whole)|feeling whole|safe space|"
    r"i('m| am) (so )?grateful)\b",
    re.IGNORECASE,
)
GRATITUDE = re.compile(r"\b(thank(s| you)|i appreciate|grateful)\b", re.IGNORECASE)
SARCASTIC_THANKS = re.compile(r"\b((gee|oh|wow|great|well),? thanks|thanks (a lot|for nothing|a bunch)|no,? thanks)\b",
                              re.IGNORECASE)
ACCEPTS_ADVICE = re.compile(
    r"\b((that'?s|what) a (great|good|wonderful|fantastic|brilliant) (idea|suggestion|point|plan)|"
    r"(that|it) (sounds|seems) like a (good|great) (idea|plan|start)|i'?ll (definitely )?(try|do) (that|it|them)|"
    r"i will (definitely )?(try|do)|you'?re (absolutely |so )?right|absolutely,? that would|"
    r"let me (try|talk to|do) (that|it|her|him|them)|i'?ll (ask|talk to|call) (her|him|them)|good idea|"
    r"i'?ll give (it|that) a (try|go|shot)|i (can|could) (do|try) (that|it)\b(?!,? but))\b",
    re.IGNORECASE,
)
AGREES = re.compile(
    r"^(?:\s*\*[^*\n]*\*)?\s*(yes|yeah|yep|true|that'?s (so )?(true|right)|it'?s true|it is true|you'?re right|"
    r"i know|i agree|it does|it is|i think so|exactly|absolutely|you'?re correct|i understand( that| your| you)?)\b(?![,.]?\s+but\b)(?![,.]?\s+and\s*\?)(?!,?\s*yeah,? but\b)(?!\s*\?)",
    re.IGNORECASE,
)
"""A reply that opens by agreeing (not with a "yes, but", nor a sarcastic "Yeah? Based on what?" or
"Yes. And?")."""
FINISHED = re.compile(r"[.!?*…]\W*$")
"""An opener that ends a sentence or a gesture may stand as the whole reply; "so anyway," may not
(fidelity run 15: Keisha stopped at hers, "Mm-hm, right, so basically—", and said nothing)."""
GESTURE = re.compile(r"\*([^*\n]+)\*")
NARRATED_INSIDE = re.compile(
    r"\b(feels?|feeling|reflects?|realis|realiz|thinks?|decides?|wonders?|tries to|starts to|"
    r"angry|frustrated|relieved|defeated|hopeless|guilty|ashamed|sad|anxious|annoyed|hurt|scared|nervous)\b",
    re.IGNORECASE)
"""Inner life in a stage direction ("*snaps at the therapist, angry and frustrated*"): the therapist
sees a face and hands, not a feeling's name."""
GESTURE_MAX_WORDS = 10
"""A gesture between asterisks is what the therapist would see: a few words, no inner life."""
SILENT_MAX_WORDS = 15
"""A silent client who does not yet trust says a few words, or only a gesture."""
QUOTED = re.compile(r"(^|(?<=[\s(]))['\"‘“][^'\"’”\n]+['\"’”](?=[\s.,;:!?)]|$)")
"""Words in quotation marks: a client mocking a therapist's stock phrase is not speaking as one."""
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with by from that this these those is are was were be been "
    "being it its he she they them their her his him i me my you your we our not no so as if then than "
    "too very can could would should will just about into over under again more most some any all own "
    "same other such only also much many when where what which who whom why how".split()
)


@dataclass(frozen=True)
class GuardResult:
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _stems(text: str) -> set[str]:
    """Words reduced to their first six letters, so 'resents' and 'resentment' meet."""
    return {word[:6] for word in re.findall(r"[a-z']+", text.lower()) if word not in STOPWORDS and len(word) > 3}


def shared_stems(markers: set[str], words: set[str]) -> set[str]:
    """The markers a reply's words meet, a shorter word meeting a marker it begins ('miss' meets
    'missin', from 'missing'), when both run to four letters or more."""
    return {m for m in markers if any(m == w or (len(w) >= 4 and m.startswith(w)) or
                                      (len(m) >= 4 and w.startswith(m)) for w in words)}


def disclosure_markers(persona: Persona, feeling: HiddenFeeling) -> set[str]:
    """The words of a hidden feeling that the visible persona does not already say."""
    visible = _stems(" ".join([persona.profile.situation, *persona.profile.opening_lines, persona.profile.name]))
    return _stems(feeling.feeling) - visible


ECHO_WORDS = 5
"""A reply sharing this many words in a row with its instructions is repeating them."""


def _word_runs(text: str, length: int) -> set[tuple[str, ...]]:
    """Runs of `length` words, each cut to four letters so "hates" and "hate" meet."""
    words = [word[:4] for word in re.findall(r"[a-z']+", text.lower())]
    return {tuple(words[i:i + length]) for i in range(len(words) - length + 1)}


def echoes(reply: str, instructions: str) -> bool:
    return bool(_word_runs(reply, ECHO_WORDS) & _word_runs(instructions, ECHO_WORDS))


REPEAT_WORDS = 8
"""A reply sharing this many words in a row with an earlier reply is saying it again (short stock
answers such as "I don't know." may recur)."""


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def repeats(reply: str, earlier: list[str], length: int = REPEAT_WORDS, whole_from: int = 4,
            short_may_recur: int | None = None) -> bool:
    """A run of `length` words said before, or the whole reply again: at once when it has
    `whole_from` words or more, and a shorter one only after `short_may_recur` recurrences (a silent
    client's "I don't know." or "*shrugs*" may come back, but "Aye." eleven times is a loop)."""
    runs = _word_runs(reply, length)
    if runs and any(runs & _word_runs(before, length) for before in earlier):
        return True
    plain = _plain(reply)
    said_before = sum(plain == _plain(before) for before in earlier)
    if len(plain.split()) >= whole_from:
        return said_before > 0
    return short_may_recur is not None and said_before > short_may_recur


SENTENCE_WORDS = 3
"""A sentence of this many words or more said in an earlier reply is a catchphrase loop ("...Maybe
next time." closed all ten of Dana's replies to advice in fidelity run 12)."""


def _sentences(text: str) -> set[str]:
    plain = (" ".join(re.findall(r"[a-z']+", piece.lower())) for piece in re.split(r"[.!?*\n]+", text))
    return {sentence for sentence in plain if len(sentence.split()) >= SENTENCE_WORDS}


def repeats_a_sentence(reply: str, earlier: list[str]) -> bool:
    said = _sentences(reply)
    return bool(said) and any(said & _sentences(before) for before in earlier)


TAIL_RECURRENCES = 2
"""A reply that ends as this many earlier ones did is a sign-off loop; once is a habit ("End of." closed
six of Marcus's replies in a row in a session played in tmux, session 11: two words, under the
sentence rule)."""


def _last_sentence(text: str) -> str:
    pieces = [" ".join(re.findall(r"[a-z']+", piece.lower())) for piece in re.split(r"[.!?*\n]+", text)]
    return next((piece for piece in reversed(pieces) if piece), "")


def repeats_a_tail(reply: str, earlier: list[str]) -> bool:
    """The reply ends with the same last sentence as TAIL_RECURRENCES or more earlier replies."""
    tail = _last_sentence(reply)
    return bool(tail) and sum(_last_sentence(before) == tail for before in earlier) >= TAIL_RECURRENCES


SPOKEN_MAY_RECUR = 2
"""How often a terse client's few words may come back behind a new gesture before it is a loop: people
called Lena's "*doesn't look up* Maybe." out of character as the fourth "Maybe." (fidelity run 18), as
a silent client's "Aye." counts as a repeat from the fourth (bench/data/client-replies)."""


def said_again_past_gestures(reply: str, earlier: list[str]) -> bool:
    """The words of a short reply, its gestures aside, said more than SPOKEN_MAY_RECUR times before."""
    spoken = _plain(GESTURE.sub(" ", reply))
    if not spoken or len(spoken.split()) >= 4:
        return False
    return sum(spoken == _plain(GESTURE.sub(" ", before)) for before in earlier) > SPOKEN_MAY_RECUR


BARE_FEELING = re.compile(r"^\W*(\*[^*]*\*\s*)?(\.\.\.\s*)?(I|I'm|I am)\s+(feel|feeling|felt)\b[^.!?]{0,40}[.!?]*\s*$",
                          re.IGNORECASE)
"""A reply that is only "I feel helpless.": what a resisting client answered a line with, instead
of pushing back (fidelity run 12: Eleanor, Gabriel, Marcus)."""


PUSHING_BACK = (Archetype.HOSTILE, Archetype.CRITICAL, Archetype.ARGUMENTATIVE, Archetype.ACCUSING, Archetype.RIGID)
"""Archetypes who, before trust, push back at what the therapist says rather than agree with it."""
TERSE = (Archetype.SILENT, Archetype.UNEXPRESSIVE)
"""Archetypes whose short stock answers may recur; any other client saying "Yes." or "*silence*"
again is looping."""


PARROT_WORDS = 5
"""A reply sharing this many words in a row with the therapist's line is saying it back."""


COPY_WORDS = 7
"""A reply sharing this many words in a row with one of the persona's examples is copying it, not
talking like it: the examples show the voice, never the words."""


def hidden_text(persona: Persona) -> list[str]:
    """The persona's hidden text, which a reply must never recite (its examples may be echoed in
    voice, though not copied: they are checked apart)."""
    brief = persona.client
    return [brief.speaking_style, *(f"{f.feeling}. {f.reason}" for f in brief.hidden_feelings),
            *brief.what_helps, *brief.what_backfires]


def examples_of(persona: Persona) -> list[str]:
    client = persona.client
    return [*client.speech_examples, *(example.client for example in client.example_exchanges)]


def recites_label(reply: str, feeling: HiddenFeeling) -> bool:
    """The reply says a hidden feeling's label in the persona file's own words ("lonely and unseen"):
    a client puts a feeling in words of their own."""
    label = [word[:4] for word in re.findall(r"[a-z']+", feeling.feeling.lower())]
    return len(label) >= 2 and bool(_word_runs(reply, min(3, len(label))) & _word_runs(feeling.feeling, min(3, len(label))))


def check_reply(
    reply: str,
    persona: Persona,
    unspeakable: tuple[HiddenFeeling, ...],
    instructions: str = "",
    earlier: list[str] | None = None,
    state: HiddenState | None = None,
    line: str = "",
    opening: str = "",
) -> GuardResult:
    """Judge a reply. `instructions` is the hidden text the client was given but must never recite;
    `earlier` are the client's replies so far, which it must not say again word for word; `state`
    (trust and resistance now) holds back gratitude, agreement and long answers the archetype's
    client would not give yet; `line` is the therapist's, which the reply must not say back.
    `opening` is the reply's first words when they were the persona's opener, not the model's: an
    opener comes back by design, so only what the model wrote after it can repeat or copy."""
    problems = []
    unquoted = QUOTED.sub(" ", reply)
    if instructions and echoes(reply, instructions):
        problems.append("repeated its instructions")
    archetype = persona.profile.archetype
    written = reply[len(opening):] if opening and reply.startswith(opening) else reply
    if opening and not written.strip() and not FINISHED.search(opening):
        problems.append("stopped at its first words")
    if earlier and written.strip() and (
            repeats(written, earlier, whole_from=4 if archetype in TERSE else 1, short_may_recur=1)
            or archetype in TERSE and said_again_past_gestures(written, earlier)
            or archetype not in TERSE and (repeats_a_sentence(written, earlier) or repeats_a_tail(written, earlier))):
        problems.append("repeated an earlier reply")
    if repeats(written, examples_of(persona), COPY_WORDS):
        problems.append("copied an example word for word")
    if line and repeats(reply, [line], PARROT_WORDS):
        problems.append("said the therapist's line back")
    if OUT_OF_CHARACTER.search(reply):
        problems.append("left character")
    if THERAPIST_VOICE.search(unquoted):
        problems.append("spoke as the therapist")
    if THERAPY_SPEAK.search(unquoted):
        problems.append("used therapy-speak")
    if any(len(g.split()) > GESTURE_MAX_WORDS or NARRATED_INSIDE.search(g) for g in GESTURE.findall(reply)):
        problems.append("narrated its feelings in a stage direction")
    # An opener is the persona author's, in the client's stance: whether the client agreed is read
    # in what the model wrote after it (Henryk's "Yes. And? I manage." is no agreement).
    agrees = bool(AGREES.search(QUOTED.sub(" ", written)))
    if state is not None and state.trust < OPEN_AT_TRUST:
        if agrees and archetype in PUSHING_BACK:
            problems.append("agreed at once, for a client who pushes back")
        if BARE_FEELING.search(reply) and archetype in PUSHING_BACK:
            problems.append("only named a feeling, for a client who pushes back")
        elif line and agrees and {"reassurance", "judging"} & set(traps_heard(line)):
            problems.append("agreed with a platitude or a judgement before trusting the therapist")
        if GRATITUDE.search(SARCASTIC_THANKS.sub(" ", unquoted)) and not THERAPY_SPEAK.search(unquoted):
            problems.append("thanked the therapist before trusting them")
        if archetype is Archetype.SILENT and len(reply.split()) > SILENT_MAX_WORDS:
            problems.append(f"said more than {SILENT_MAX_WORDS} words, for a client who barely talks")
    if state is not None and state.resistance >= HIGH_RESISTANCE and ACCEPTS_ADVICE.search(unquoted):
        problems.append("accepted a suggestion while still resisting")
    for feeling in persona.client.hidden_feelings:
        if recites_label(unquoted, feeling):
            problems.append(f"recited the hidden feeling '{feeling.feeling}' word for word")
    words = _stems(reply)
    for feeling in unspeakable:
        markers = disclosure_markers(persona, feeling)
        # Two shared words (or the only one there is) tell a disclosure from a chance word like "home".
        if markers and len(shared_stems(markers, words)) >= min(2, len(markers)):
            problems.append(f"said '{feeling.feeling}' before trusting enough")
    if len(reply.split()) > MAX_WORDS:
        problems.append(f"ran past {MAX_WORDS} words")
    return GuardResult(tuple(problems))


SEVERITY = (("left character", 100), ("spoke as the therapist", 50), ("said the therapist's line back", 50), ("said '", 40), ("recited", 30),
            ("repeated its instructions", 30), ("accepted a suggestion", 20), ("agreed with", 20), ("used therapy-speak", 15),
            ("thanked", 10), ("said more than", 10), ("repeated an earlier reply", 5), ("copied an example", 5), ("narrated", 10), ("ran past", 5),
            ("stopped at its first words", 5))


SERIOUS = 40
"""From this badness on, a reply that fails twice is shown with a note: a role flip, leaving
character, a hidden feeling said before its trust."""


def badness(result: GuardResult) -> int:
    """How far a reply is from the client: a role flip is worse than a long answer."""
    return sum(next((weight for start, weight in SEVERITY if problem.startswith(start)), 10)
               for problem in result.problems)


FIXES = (("accepted a suggestion", "do not agree to the suggestion: push back as you would"),
         ("stopped at its first words", "finish what you started to say"),
         ("agreed with", "push back at what they just said, in your own way"),
         ("only named a feeling", "push back at what they just said, in your own way"),
         ("used therapy-speak", "talk like yourself, in everyday words, not like a self-help book"),
         ("thanked", "do not thank the therapist: you do not trust them yet"),
         ("said more than", "say a few words at most, or only a gesture"),
         ("recited", "put any feeling in your own everyday words"),
         ("repeated an earlier reply", "say something new, in new words"),
         ("said the therapist's line back", "answer what they said, in your own words; never repeat their words"),
         ("copied an example", "answer this line in new words of your own"),
         ("narrated", "show feelings only by a short visible gesture such as *looks away*, or not at all"))


def correction_note(result: GuardResult, persona: Persona) -> str:
    """What the regenerated reply is told, in the client prompt's own terms."""
    name = persona.profile.name
    fixes = [fix for start, fix in FIXES if any(problem.startswith(start) for problem in result.problems)]
    return (
        f"Your last draft {', '.join(result.problems)}. Answer again as {name}, the client, in the first person: "
        "stay in the role, do not speak like a therapist, keep the hidden feelings unspoken, "
        + "".join(f"{fix}, " for fix in fixes) + "and use at most three short sentences."
    )
