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


@dataclass(frozen=True)
class ClientBrief:
    """What only the client (and the rater playing the client) knows."""

    speaking_style: str
    hidden_feelings: tuple[HiddenFeeling, ...]
    what_helps: tuple[str, ...] = ()
    what_backfires: tuple[str, ...] = ()
    speech_examples: tuple[str, ...] = ()


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

    @property
    def id(self) -> str:
        return self.profile.id


# --- Sessions ------------------------------------------------------------------------------


class Speaker(str, Enum):
    TRAINEE = "trainee"
    CLIENT = "client"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Turn:
    speaker: Speaker
    text: str
    at: datetime = field(default_factory=now_utc)
    complete: bool = True
    """False when a client reply was cut off before it finished."""


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


@dataclass
class Session:
    id: str
    persona_id: str
    started_at: datetime = field(default_factory=now_utc)
    turns: list[Turn] = field(default_factory=list)
    form: ClientForm | None = None
    ended_at: datetime | None = None
    trainee: str = ""
    client_model: str = ""
    rater_model: str = ""

    @property
    def ended(self) -> bool:
        return self.ended_at is not None
