"""Turn a persona file's parsed YAML into a Persona, naming each field that is wrong and how to fix it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from simulator.domain import (
    Archetype,
    ClientBrief,
    HiddenFeeling,
    InstructorNotes,
    Persona,
    PersonaProfile,
    Probe,
)
from simulator.errors import PersonaError

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

VISIBLE_KEYS = {"id", "name", "age", "situation", "archetype", "difficulty", "tags", "opening_lines"}
TOP_KEYS = VISIBLE_KEYS | {"client", "instructor"}
CLIENT_KEYS = {"speaking_style", "hidden_feelings", "what_helps", "what_backfires", "speech_examples"}
FEELING_KEYS = {"feeling", "intensity", "reason", "voice_at_trust"}
INSTRUCTOR_KEYS = {"notes", "probes"}
PROBE_KEYS = {"say", "expect"}


class _Reader:
    """Reads typed fields out of one file's data, raising PersonaError that names file and field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, what: str, fix: str) -> PersonaError:
        return PersonaError(f"{self.source}: {field}: {what}", fix)

    def mapping(self, value: Any, field: str, known: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(field or "(file)", "must be a mapping of keys to values", "write 'key: value' lines")
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
                name = f"{field}.{key}" if field else str(key)
                raise self.fail(name, "unknown key", hint)
        return value

    def text(self, data: Mapping[str, Any], key: str, field: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing", f"add '{key}:' with some text")
            return ""
        if not isinstance(value, str):
            raise self.fail(field, f"must be text, not {type(value).__name__}", "quote the value")
        return value.strip()

    def integer(self, data: Mapping[str, Any], key: str, field: str, low: int, high: int) -> int:
        value = data.get(key)
        if value is None:
            raise self.fail(field, "is missing", f"add '{key}:' with a whole number from {low} to {high}")
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(field, f"must be a whole number from {low} to {high}, got {value!r}", "correct the number")
        return value

    def texts(self, data: Mapping[str, Any], key: str, field: str, required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(field, "is missing", f"add '{key}:' as a list of lines, each starting with '- '")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(field, "must be a list of text lines", "write each item on its own '- ' line")
        if required and not value:
            raise self.fail(field, "is empty", "add at least one line")
        return tuple(item.strip() for item in value)

    def items(self, data: Mapping[str, Any], key: str, field: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, "must be a list", "write each entry as a '- ' item")
        return value


def persona_from_data(data: Any, source: str) -> Persona:
    read = _Reader(source)
    top = read.mapping(data, "", TOP_KEYS)

    persona_id = read.text(top, "id", "id")
    if not SAFE_ID.match(persona_id):
        raise read.fail("id", f"{persona_id!r} is not safe as a file name",
                        "use lowercase letters, digits and dashes, e.g. 'dana-yes-but'")
    archetype_name = read.text(top, "archetype", "archetype")
    try:
        archetype = Archetype(archetype_name)
    except ValueError:
        names = [a.value for a in Archetype]
        close = difflib.get_close_matches(archetype_name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(names)}"
        raise read.fail("archetype", f"unknown archetype {archetype_name!r}", hint) from None

    profile = PersonaProfile(
        id=persona_id,
        name=read.text(top, "name", "name"),
        age=read.integer(top, "age", "age", 5, 120),
        situation=read.text(top, "situation", "situation"),
        archetype=archetype,
        difficulty=read.integer(top, "difficulty", "difficulty", 1, 5),
        opening_lines=read.texts(top, "opening_lines", "opening_lines", required=True),
        tags=read.texts(top, "tags", "tags"),
    )

    client_data = read.mapping(top.get("client"), "client", CLIENT_KEYS)
    feelings = []
    for index, item in enumerate(read.items(client_data, "hidden_feelings", "client.hidden_feelings")):
        where = f"client.hidden_feelings[{index}]"
        entry = read.mapping(item, where, FEELING_KEYS)
        feelings.append(
            HiddenFeeling(
                feeling=read.text(entry, "feeling", f"{where}.feeling"),
                intensity=read.integer(entry, "intensity", f"{where}.intensity", 1, 5),
                reason=read.text(entry, "reason", f"{where}.reason"),
                voice_at_trust=read.integer(entry, "voice_at_trust", f"{where}.voice_at_trust", 0, 10),
            )
        )
    if not feelings:
        raise read.fail("client.hidden_feelings", "is missing or empty",
                        "add at least one hidden feeling with feeling, intensity, reason and voice_at_trust")
    brief = ClientBrief(
        speaking_style=read.text(client_data, "speaking_style", "client.speaking_style"),
        hidden_feelings=tuple(feelings),
        what_helps=read.texts(client_data, "what_helps", "client.what_helps"),
        what_backfires=read.texts(client_data, "what_backfires", "client.what_backfires"),
        speech_examples=read.texts(client_data, "speech_examples", "client.speech_examples"),
    )

    instructor_data = read.mapping(top.get("instructor") or {}, "instructor", INSTRUCTOR_KEYS)
    probes = []
    for index, item in enumerate(read.items(instructor_data, "probes", "instructor.probes")):
        where = f"instructor.probes[{index}]"
        entry = read.mapping(item, where, PROBE_KEYS)
        probes.append(Probe(say=read.text(entry, "say", f"{where}.say"),
                            expect=read.text(entry, "expect", f"{where}.expect")))
    notes = InstructorNotes(notes=read.text(instructor_data, "notes", "instructor.notes", required=False),
                            probes=tuple(probes))
    return Persona(profile=profile, client=brief, instructor=notes, source=source)
