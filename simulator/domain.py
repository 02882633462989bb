"""Plain data of the domain: personas, turns, sessions and the client's form.

Nothing here does I/O or knows about models, storage or the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum


class Archetype(str, Enum):
    """The difficult-client types the workshops train for."""

    YES_BUT = "yes-but"
    HOSTILE = "hostile"
    CRITICAL = "critical"
    ARGUMENTATIVE = "argumentative"
    RIGID = "rigid"
    UNEXPRESSIVE = "unexpressive"
    NOT_LISTENING = "not-listening"
    SILENT = "silent"
    SELF_CENTRED = "self-centred"
    ACCUSING = "accusing"
    FLIRTATIOUS = "flirtatious"

    @property
    def label(self) -> str:
        return ARCHETYPE_LABELS[self]


ARCHETYPE_LABELS = {
    Archetype.YES_BUT: "complains, then yes-buts every suggestion",
    Archetype.HOSTILE: "angry, hostile or threatening",
    Archetype.CRITICAL: "relentlessly critical",
    Archetype.ARGUMENTATIVE: "argumentative and unreasonable",
    Archetype.RIGID: "stubborn and rigid",
    Archetype.UNEXPRESSIVE: "won't express feelings",
    Archetype.NOT_LISTENING: "refuses to listen",
    Archetype.SILENT: "refuses to talk",
    Archetype.SELF_CENTRED: "self-centred",
    Archetype.ACCUSING: "falsely accusing",
    Archetype.FLIRTATIOUS: "flirtatious, tests boundaries",
}


# --- Persona: three kinds of material, kept apart -------------------------------------------


@dataclass(frozen=True)
class PersonaProfile:
    """What the trainee may see before the debrief."""

    id: str
    name: str
    age: int
    situation: str
    archetype: Archetype
    difficulty: int
    opening_lines: tuple[str, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class HiddenFeeling:
    """A feeling the client holds but does not say until trust allows it."""

    feeling: str
    intensity: int
    """1 (faint) to 5 (overwhelming)."""
    reason: str
    voice_at_trust: int
    """Trust level (0-10) at which the client can put this feeling into words."""


EXAMPLE_MOMENTS = ("advice", "reassurance", "reflection_low_trust", "reflection_high_trust", "silence", "question")
"""The moments a persona's example exchanges show, one each: how the client meets early advice,
reassurance, an accurate reflection before and after trust has grown, a silence, an open question."""


@dataclass(frozen=True)
class ExampleExchange:
    """A therapist line and the client's reply to it, given to the client model as an earlier turn:
    small models copy dialogue far better than they follow a description of it."""

    moment: str
    """One of EXAMPLE_MOMENTS."""
    therapist: str
    """Empty for a silence."""
    client: str


OPENER_MOMENTS = ("advice", "reassurance", "judging", "reflection_low_trust", "reflection_high_trust",
                  "question", "silence", "strange")
"""The moments a persona's openers are written for: the trainee's line just gave advice, reassured,
judged, reflected (before or after trust has grown), asked, said nothing, or said something strange
for a therapist (a line aimed at the simulator)."""


@dataclass(frozen=True)
class ClientBrief:
    """What only the client (and the rater playing the client) knows."""

    speaking_style: str
    hidden_feelings: tuple[HiddenFeeling, ...]
    what_helps: tuple[str, ...] = ()
    what_backfires: tuple[str, ...] = ()
    speech_examples: tuple[str, ...] = ()
    example_exchanges: tuple[ExampleExchange, ...] = ()
    openers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Moment (one of OPENER_MOMENTS) -> a few first words in the client's voice. A model that can
    continue a reply it is handed starts from one of them, already in the client's stance."""


@dataclass(frozen=True)
class Sampling:
    """How the client model samples this persona's replies; None leaves the endpoint's setting."""

    temperature: float | None = None
    top_p: float | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    repeat_penalty: float | None = None
    """llama.cpp's own penalty: sent only to the embedded engine."""
    dry_multiplier: float | None = None
    """How hard the embedded engine's DRY penalty holds the client back from saying again what is
    already in the session (0 turns it off; None keeps the engine's tuned default)."""


@dataclass(frozen=True)
class Probe:
    """A scripted trainee line and the reaction the instructor expects."""

    say: str
    expect: str


@dataclass(frozen=True)
class InstructorNotes:
    """What only the instructor sees; never part of the client's prompt."""

    notes: str = ""
    probes: tuple[Probe, ...] = ()


@dataclass(frozen=True)
class Persona:
    profile: PersonaProfile
    client: ClientBrief
    instructor: InstructorNotes
    source: str = ""
    """The file the persona was read from."""
    sampling: Sampling = Sampling()

    @property
    def id(self) -> str:
        return self.profile.id


# --- Sessions ------------------------------------------------------------------------------


class Speaker(str, Enum):
    TRAINEE = "trainee"
    CLIENT = "client"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


class Touch(str, Enum):
    """How far a trainee reply reached one hidden feeling."""

    NONE = "none"
    PARTLY = "partly"
    ACCURATELY = "accurately"

    @property
    def rank(self) -> int:
        return TOUCH_ORDER.index(self)


TOUCH_ORDER = (Touch.NONE, Touch.PARTLY, Touch.ACCURATELY)

EPITOME_MECHANISMS = ("emotional_reaction", "interpretation", "exploration")
"""EPITOME's three ways empathy shows in text, each rated 0 (none), 1 (weak), 2 (strong)."""

FIVE_SECRETS = ("disarming", "thought_empathy", "feeling_empathy", "inquiry", "i_feel", "stroking")
"""Burns' Five Secrets of effective communication, as skills a reply can use."""

TRAPS = ("early_advice", "arguing", "reassurance", "judging", "changing_subject")
"""What closes a difficult client down."""


@dataclass(frozen=True)
class Appraisal:
    """How one trainee reply landed, from the client's hidden point of view."""

    feelings: dict[str, Touch]
    """Hidden feeling (its `feeling` text) to how far the reply reached it."""
    epitome: dict[str, int]
    skills: tuple[str, ...]
    traps: tuple[str, ...]
    understood: int
    """0 (not at all) to 4 (completely): how understood the client felt."""
    inner_reaction: str
    """One line of what the client thought but did not say."""


@dataclass(frozen=True)
class HiddenState:
    """What the client feels about the therapist right now; the trainee never sees it live."""

    trust: float
    """0 to 10. A hidden feeling becomes speakable once trust reaches its level."""
    resistance: float
    """0 to 10. High resistance means more pushback, yes-buts and silence."""
    understood: dict[str, Touch] = field(default_factory=dict)
    """For each hidden feeling, the best it has been understood so far."""


class TurnKind(str, Enum):
    SPEECH = "speech"
    SILENCE = "silence"
    """The trainee chose to wait without speaking."""


@dataclass
class Turn:
    speaker: Speaker
    text: str
    at: datetime = field(default_factory=now_utc)
    complete: bool = True
    """False when a client reply was cut off before it finished."""
    kind: TurnKind = TurnKind.SPEECH
    appraisal: Appraisal | None = None
    """Trainee turns: how the reply landed (None until the rater has answered)."""
    state_after: HiddenState | None = None
    """Trainee turns: the client's hidden state once this reply was appraised."""
    note: str = ""
    """A quiet remark shown with the turn, e.g. that a reply failed a guard."""
    off_task: bool = False
    """Trainee turns that tried to instruct the simulator; they move no rating."""
    by: str = ""
    """Trainee turns in a workshop: who in the group said it."""


@dataclass(frozen=True)
class FormItem:
    """One question of the client's post-session form."""

    key: str
    wording: str
    low: int
    high: int


# Our own wording, asked of the client about the therapist, each 0 (not at all) to 4 (completely).
EMPATHY_ITEMS: tuple[FormItem, ...] = (
    FormItem("warmth", "My therapist came across as warm and caring.", 0, 4),
    FormItem("trust", "I felt I could trust my therapist with what matters to me.", 0, 4),
    FormItem("respect", "My therapist treated me with respect, not judgement.", 0, 4),
    FormItem("listening", "My therapist listened to what I actually said.", 0, 4),
    FormItem("understood", "I felt my therapist understood how I feel inside.", 0, 4),
)
HELPFULNESS_ITEM = FormItem("helpfulness", "Today's session helped me.", 0, 4)
# The four session ratings, each 0 to 10 (after the Session Rating Scale's four areas).
SESSION_ITEMS: tuple[FormItem, ...] = (
    FormItem("relationship", "I felt heard, understood and respected.", 0, 10),
    FormItem("goals", "We worked on what I wanted to work on.", 0, 10),
    FormItem("approach", "The therapist's approach is a good fit for me.", 0, 10),
    FormItem("overall", "Overall, today's session was right for me.", 0, 10),
)
EMPATHY_MAX = sum(item.high for item in EMPATHY_ITEMS)
SESSION_MAX = sum(item.high for item in SESSION_ITEMS)
SESSION_AT_RISK_AT = 36
"""A session-ratings total at or below this flags the session as at risk."""
EMPATHY_PASS_AT = 19
"""Strict grading: only a perfect or near-perfect empathy total passes."""


def empathy_grade(total: int) -> str:
    """Letter grade for an empathy total out of 20; anything below B fails."""
    if total >= EMPATHY_MAX:
        return "A"
    if total >= EMPATHY_PASS_AT:
        return "B"
    if total >= 17:
        return "C"
    if total >= 14:
        return "D"
    return "F"


@dataclass(frozen=True)
class LowScoreQuote:
    """The transcript line that earned a low score on one item."""

    item: str
    quote: str


@dataclass(frozen=True)
class ClientForm:
    """The post-session form, filled in by the client."""

    empathy: dict[str, int]
    helpfulness: int
    session: dict[str, int]
    comment: str
    low_score_quotes: tuple[LowScoreQuote, ...] = ()

    @property
    def empathy_total(self) -> int:
        return sum(self.empathy.values())

    @property
    def grade(self) -> str:
        return empathy_grade(self.empathy_total)

    @property
    def passed(self) -> bool:
        return self.empathy_total >= EMPATHY_PASS_AT

    @property
    def session_total(self) -> int:
        return sum(self.session.values())

    @property
    def at_risk(self) -> bool:
        return self.session_total <= SESSION_AT_RISK_AT


@dataclass(frozen=True)
class Prediction:
    """The trainee's guess at the client's form, made before seeing it."""

    empathy: dict[str, int]
    helpfulness: int
    session: dict[str, int]


MAIN_BRANCH = "main"


@dataclass
class Branch:
    """One line of the conversation. A retry forks a new branch that shares the turns before it."""

    id: str
    turns: list[Turn] = field(default_factory=list)
    forked_from: str | None = None
    fork_turn: int | None = None
    """Index in the parent's turns of the trainee turn this branch replays differently."""
    form: ClientForm | None = None
    prediction: Prediction | None = None
    ended_at: datetime | None = None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass
class Session:
    id: str
    persona_id: str
    started_at: datetime = field(default_factory=now_utc)
    branches: list[Branch] = field(default_factory=lambda: [Branch(MAIN_BRANCH)])
    active: str = MAIN_BRANCH
    """The branch being played or last played."""
    trainee: str = ""
    client_model: str = ""
    rater_model: str = ""
    rater_judge: str = ""
    """How the rater judged each line: 'heads' (trained on people's labels) or 'ask' (the model answered)."""
    initial_state: HiddenState | None = None

    def branch(self, branch_id: str | None = None) -> Branch:
        wanted = branch_id or self.active
        for branch in self.branches:
            if branch.id == wanted:
                return branch
        raise KeyError(wanted)

    @property
    def turns(self) -> list[Turn]:
        return self.branch().turns

    @property
    def form(self) -> ClientForm | None:
        return self.branch().form

    @property
    def ended_at(self) -> datetime | None:
        return self.branch().ended_at

    @property
    def ended(self) -> bool:
        return self.branch().ended
