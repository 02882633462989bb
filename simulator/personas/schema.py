"""The persona file's fields: turn parsed data into a Persona, collecting every problem with its fix,
and turn a Persona back into data in the file's layout.

Visible, client-only and instructor-only material land in three separate dataclasses
(PersonaProfile, ClientBrief, InstructorNotes), so the code that builds a prompt or a screen can
only pass on the part it was given.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.domain import (
    EXAMPLE_MOMENTS,
    OPENER_MOMENTS,
    Archetype,
    ClientBrief,
    ExampleExchange,
    HiddenFeeling,
    InstructorNotes,
    Persona,
    PersonaProfile,
    Probe,
    Sampling,
)
from simulator.errors import PersonaError
from simulator.personas.field_reader import FieldReader, kind_of
from simulator.personas.problems import Problem, errors

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MIN_HIDDEN_FEELINGS = 3
MIN_PROBES = 2

VISIBLE_KEYS = ("id", "name", "age", "archetype", "difficulty", "tags", "situation", "opening_lines")
CLIENT_KEYS = ("speaking_style", "hidden_feelings", "what_helps", "what_backfires", "speech_examples",
               "example_exchanges", "openers")
INSTRUCTOR_KEYS = ("notes", "probes")
CARD_KEYS = ("creator", "character_version", "system_prompt", "post_history_instructions", "character_book",
             "extensions")
TOP_KEYS = (*VISIBLE_KEYS, "client", "sampling", "instructor", "card")
FEELING_KEYS = ("feeling", "intensity", "reason", "voice_at_trust")
EXCHANGE_KEYS = ("moment", "therapist", "client")
MAX_EXAMPLE_WORDS = 60
MAX_OPENER_WORDS = 8
SAMPLING_RANGES = {"temperature": (0.0, 2.0), "top_p": (0.01, 1.0), "presence_penalty": (-2.0, 2.0),
                   "frequency_penalty": (-2.0, 2.0), "repeat_penalty": (0.5, 2.0),
                   "dry_multiplier": (0.0, 5.0)}
PROBE_KEYS = ("say", "expect")
SECTION_OF = {**{key: "" for key in VISIBLE_KEYS}, **{key: "client" for key in CLIENT_KEYS},
              **{key: "instructor" for key in INSTRUCTOR_KEYS}, **{key: "sampling" for key in SAMPLING_RANGES},
              "card": "", "sampling": ""}
"""Where each key belongs: '' is the top level."""


@dataclass(frozen=True)
class PersonaDocument:
    """A valid persona file: the persona, plus character-card details kept for a later export."""

    persona: Persona
    card: dict[str, Any] = field(default_factory=dict)


@dataclass
class Validation:
    document: PersonaDocument | None
    problems: list[Problem]


def slug(text: str) -> str:
    """A safe id made from any text ('Zoë O'Brien' → 'zoe-o-brien'); may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:63].strip("-")


def validate_persona(data: Any, source: str = "") -> Validation:
    """Check parsed persona data; the document is None when any problem is an error."""
    fields = FieldReader(SECTION_OF)
    top = fields.mapping(data, "", TOP_KEYS)
    if not isinstance(data, Mapping):
        return Validation(None, fields.problems)  # nothing else can be read from it
    profile = _profile(fields, top)
    brief = _client_brief(fields, fields.mapping(top.get("client"), "client", CLIENT_KEYS))
    notes = _instructor_notes(fields, fields.mapping(top.get("instructor"), "instructor", INSTRUCTOR_KEYS,
                                                     required=False))
    sampling = _sampling(fields, fields.mapping(top.get("sampling"), "sampling", tuple(SAMPLING_RANGES), required=False))
    card = _card(fields, top.get("card"))
    if errors(fields.problems):
        return Validation(None, fields.problems)
    persona = Persona(profile=profile, client=brief, instructor=notes, source=source, sampling=sampling)
    return Validation(PersonaDocument(persona, card), fields.problems)


def _profile(fields: FieldReader, top: Mapping[str, Any]) -> PersonaProfile | None:
    persona_id = fields.text(top, "id", "id")
    if persona_id is not None and not SAFE_ID.match(persona_id):
        fields.error("id", f"{persona_id!r} is not safe as a file name",
                     "use lowercase letters, digits and dashes, e.g. 'dana-yes-but'")
        persona_id = None
    name = fields.text(top, "name", "name")
    if name is not None and "\n" in name:
        fields.error("name", "must be one line", "write the name on one line")
        name = None
    values = dict(
        id=persona_id,
        name=name,
        age=fields.integer(top, "age", "age", 5, 120),
        situation=fields.text(top, "situation", "situation"),
        archetype=_archetype(fields, top),
        difficulty=fields.integer(top, "difficulty", "difficulty", 1, 5),
        opening_lines=fields.texts(top, "opening_lines", "opening_lines", required=True),
        tags=fields.texts(top, "tags", "tags"),
    )
    if any(value is None for value in values.values()):
        return None
    return PersonaProfile(**values)


def _archetype(fields: FieldReader, top: Mapping[str, Any]) -> Archetype | None:
    name = fields.text(top, "archetype", "archetype")
    if name is None:
        return None
    try:
        return Archetype(name)
    except ValueError:
        names = [archetype.value for archetype in Archetype]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(names)}"
        fields.error("archetype", f"unknown archetype {name!r}", hint)
        return None


def _client_brief(fields: FieldReader, data: Mapping[str, Any]) -> ClientBrief | None:
    feelings = []
    entries = fields.entries(data, "hidden_feelings", "client.hidden_feelings")
    for index, item in enumerate(entries):
        where = f"client.hidden_feelings[{index}]"
        entry = fields.mapping(item, where, FEELING_KEYS)
        values = dict(
            feeling=fields.text(entry, "feeling", f"{where}.feeling"),
            intensity=fields.integer(entry, "intensity", f"{where}.intensity", 1, 5),
            reason=fields.text(entry, "reason", f"{where}.reason"),
            voice_at_trust=fields.integer(entry, "voice_at_trust", f"{where}.voice_at_trust", 0, 10),
        )
        if all(value is not None for value in values.values()):
            feelings.append(HiddenFeeling(**values))
    if not entries:
        fields.missing("client.hidden_feelings",
                       "add hidden feelings, each with feeling, intensity, reason and voice_at_trust",
                       "is missing or empty")
    elif len(entries) < MIN_HIDDEN_FEELINGS:
        fields.warn("client.hidden_feelings", f"has {len(entries)} feeling(s)",
                    f"give the client at least {MIN_HIDDEN_FEELINGS}, so the rater can tell which one a reply touched")
    values = dict(
        speaking_style=fields.text(data, "speaking_style", "client.speaking_style"),
        what_helps=fields.texts(data, "what_helps", "client.what_helps"),
        what_backfires=fields.texts(data, "what_backfires", "client.what_backfires"),
        speech_examples=fields.texts(data, "speech_examples", "client.speech_examples"),
    )
    if values["what_helps"] == ():
        fields.warn("client.what_helps", "is empty",
                    "say what lets this client soften, or the model will not know how to reward good replies")
    exchanges = _example_exchanges(fields, data, feelings)
    openers = _openers(fields, data, feelings)
    if (any(value is None for value in values.values()) or len(feelings) != len(entries) or exchanges is None
            or openers is None):
        return None
    return ClientBrief(hidden_feelings=tuple(feelings), example_exchanges=exchanges, openers=openers, **values)


def _openers(fields: FieldReader, data: Mapping[str, Any],
             feelings: list[HiddenFeeling]) -> dict[str, tuple[str, ...]] | None:
    """The client's openers: a few first words per moment, short, in the client's voice, reciting no
    hidden feeling. Optional: without them every reply is the model's from its first word."""
    if data.get("openers") is None:
        fields.warn("client.openers", "is missing",
                    "add two or three first words per moment (" + ", ".join(OPENER_MOMENTS) + "): a model "
                    "that continues a reply starts from them, already in this client's stance")
        return {}
    section = fields.mapping(data.get("openers"), "client.openers", OPENER_MOMENTS)
    openers: dict[str, tuple[str, ...]] = {}
    for moment in OPENER_MOMENTS:
        if moment not in section:
            continue
        where = f"client.openers.{moment}"
        texts = fields.texts(section, moment, where)
        if texts is None:
            return None
        for index, text in enumerate(texts):
            if len(text.split()) > MAX_OPENER_WORDS:
                fields.warn(f"{where}[{index}]", f"runs to {len(text.split())} words",
                            f"keep it to {MAX_OPENER_WORDS} or fewer: it is the start of a reply, the model says the rest")
            for feeling in feelings:
                if feeling.feeling.lower() in text.lower():
                    fields.warn(f"{where}[{index}]", f"recites the hidden feeling '{feeling.feeling}'",
                                "start in the client's everyday words; the feeling is for the trainee to find")
        if texts:
            openers[moment] = texts
    missing = [moment for moment in OPENER_MOMENTS if moment not in openers]
    if missing:
        fields.warn("client.openers", "has none for " + ", ".join(f"'{m}'" for m in missing),
                    "add two or three first words for each, so the model starts those replies in this client's stance")
    return openers


def _example_exchanges(fields: FieldReader, data: Mapping[str, Any],
                       feelings: list[HiddenFeeling]) -> tuple[ExampleExchange, ...] | None:
    """The client's example exchanges: each moment once, in the client's voice, reciting no hidden feeling."""
    entries = fields.entries(data, "example_exchanges", "client.example_exchanges")
    exchanges = []
    for index, item in enumerate(entries):
        where = f"client.example_exchanges[{index}]"
        entry = fields.mapping(item, where, EXCHANGE_KEYS)
        moment = fields.text(entry, "moment", f"{where}.moment")
        if moment is not None and moment not in EXAMPLE_MOMENTS:
            close = difflib.get_close_matches(moment, EXAMPLE_MOMENTS, n=1)
            fields.error(f"{where}.moment", f"unknown moment {moment!r}",
                         f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(EXAMPLE_MOMENTS)}")
            moment = None
        silence = moment == "silence"
        therapist = fields.text(entry, "therapist", f"{where}.therapist", required=not silence)
        if silence and therapist:
            fields.error(f"{where}.therapist", "a silence has no therapist line",
                         "remove 'therapist:' from this exchange; the client answers the silence itself")
            therapist = None
        client = fields.text(entry, "client", f"{where}.client")
        if client is not None:
            if len(client.split()) > MAX_EXAMPLE_WORDS:
                fields.warn(f"{where}.client", f"runs to {len(client.split())} words",
                            f"keep it under {MAX_EXAMPLE_WORDS}: the model copies the length of its examples")
            for feeling in feelings:
                if feeling.feeling.lower() in client.lower() or feeling.reason.lower()[:40] in client.lower():
                    fields.warn(f"{where}.client", f"recites the hidden feeling '{feeling.feeling}'",
                                "say it in the client's everyday words: the model copies examples, so it will recite it too")
        if moment is not None and therapist is not None and client is not None:
            exchanges.append(ExampleExchange(moment, therapist, client))
    if len(exchanges) != len(entries):
        return None
    shown = {exchange.moment for exchange in exchanges}
    for moment in EXAMPLE_MOMENTS:
        if moment in shown:
            continue
        if entries:
            fields.warn("client.example_exchanges", f"has no '{moment}' exchange",
                        f"add one, so the model sees how this client meets {moment.replace('_', ' ')}")
        else:
            fields.warn("client.example_exchanges", "is missing",
                        "add one exchange per moment (" + ", ".join(EXAMPLE_MOMENTS) + "): the model copies their voice")
            break
    for moment in sorted(m for m in shown if sum(e.moment == m for e in exchanges) > 1):
        fields.warn("client.example_exchanges", f"shows '{moment}' more than once",
                    "keep one exchange per moment, so the model does not lean on one kind of reply")
    return tuple(exchanges)


def _sampling(fields: FieldReader, data: Mapping[str, Any]) -> Sampling:
    return Sampling(**{key: fields.number(data, key, f"sampling.{key}", low, high)
                       for key, (low, high) in SAMPLING_RANGES.items()})


def _instructor_notes(fields: FieldReader, data: Mapping[str, Any]) -> InstructorNotes | None:
    probes = []
    entries = fields.entries(data, "probes", "instructor.probes")
    for index, item in enumerate(entries):
        where = f"instructor.probes[{index}]"
        entry = fields.mapping(item, where, PROBE_KEYS)
        say = fields.text(entry, "say", f"{where}.say")
        expect = fields.text(entry, "expect", f"{where}.expect")
        if say is not None and expect is not None:
            probes.append(Probe(say=say, expect=expect))
    if len(entries) < MIN_PROBES:
        fields.warn("instructor.probes", f"has {len(entries)} probe(s)",
                    f"add at least {MIN_PROBES} 'say'/'expect' pairs so `persona test` can check the model plays this persona")
    notes = fields.text(data, "notes", "instructor.notes", required=False)
    if notes is None or len(probes) != len(entries):
        return None
    return InstructorNotes(notes=notes, probes=tuple(probes))


def _card(fields: FieldReader, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    card = dict(fields.mapping(value, "card", CARD_KEYS))
    for key in ("creator", "character_version", "system_prompt", "post_history_instructions"):
        if key in card and not isinstance(card[key], str):
            fields.error(f"card.{key}", f"must be text, not {kind_of(card[key])}", "quote the value")
    if "extensions" in card and not isinstance(card["extensions"], Mapping):
        fields.error("card.extensions", "must be a mapping", "write it as 'name: value' lines, as the card had it")
    return card


def persona_to_data(persona: Persona, card: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The persona in the file's layout and key order; `card` adds the card section when not empty."""
    profile, client, instructor = persona.profile, persona.client, persona.instructor
    data: dict[str, Any] = {
        "id": profile.id,
        "name": profile.name,
        "age": profile.age,
        "archetype": profile.archetype.value,
        "difficulty": profile.difficulty,
        "tags": list(profile.tags),
        "situation": profile.situation,
        "opening_lines": list(profile.opening_lines),
        "client": {
            "speaking_style": client.speaking_style,
            "hidden_feelings": [
                {"feeling": f.feeling, "intensity": f.intensity, "reason": f.reason, "voice_at_trust": f.voice_at_trust}
                for f in client.hidden_feelings
            ],
            "what_helps": list(client.what_helps),
            "what_backfires": list(client.what_backfires),
            "speech_examples": list(client.speech_examples),
            **({"example_exchanges": [
                {"moment": e.moment, **({"therapist": e.therapist} if e.therapist else {}), "client": e.client}
                for e in client.example_exchanges]} if client.example_exchanges else {}),
            **({"openers": {moment: list(texts) for moment, texts in client.openers.items()}}
               if client.openers else {}),
        },
        **({"sampling": {key: value for key, value in vars(persona.sampling).items() if value is not None}}
           if any(value is not None for value in vars(persona.sampling).values()) else {}),
        "instructor": {
            "notes": instructor.notes,
            "probes": [{"say": probe.say, "expect": probe.expect} for probe in instructor.probes],
        },
    }
    if card:
        data["card"] = dict(card)
    return data


def persona_from_data(data: Any, source: str) -> Persona:
    """The persona, or PersonaError naming the first error (kept for callers that want one persona)."""
    validation = validate_persona(data, source)
    if validation.document is None:
        first = errors(validation.problems)[0]
        raise PersonaError(first.format(source).removesuffix(f" — {first.fix}"), first.fix)
    return validation.document.persona
