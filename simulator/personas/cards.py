"""Character cards (SillyTavern's V1, V2 and V3) to persona data and back.

Export writes a V2 card whose standard fields let any card app play the client, and whose
`extensions.rehearse` holds the whole persona, so importing our own card gives back the same
persona. Other apps' extensions, and card fields we have no place for, travel in the persona
file's `card:` section and go back out on export.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.domain import Archetype, Persona
from simulator.errors import PersonaError
from simulator.personas.field_reader import PLACEHOLDER
from simulator.personas.schema import CARD_KEYS, persona_to_data, slug
from simulator.terminal_text import control_character, describe

EXTENSION = "rehearse"
EXTENSION_FORMAT = 1
V2_SPEC, V3_SPEC = "chara_card_v2", "chara_card_v3"
_KEPT_FIELDS = tuple(key for key in CARD_KEYS if key != "extensions")
_CHAR = re.compile(r"\{\{char\}\}|<bot>", re.IGNORECASE)
_USER = re.compile(r"\{\{user\}\}|<user>", re.IGNORECASE)
_USER_ADDRESSED = re.compile(r",\s*(?:\{\{user\}\}|<user>)(?=\s*[?!.,]|\s*$)", re.IGNORECASE)
"""'..., {{user}}?' in a line the client says: the trainee is not named, so the address goes."""
_AGE = re.compile(r"\b(\d{1,3})[- ]?(?:years?[- ]old|y/?o)\b|\bage[d:]?\s*(\d{1,3})\b", re.IGNORECASE)


@dataclass
class ImportedCard:
    data: dict[str, Any]
    """Persona data in the file's layout, ready to write."""
    version: str
    """'V1', 'V2' or 'V3'."""
    from_rehearse: bool
    """True when the card carried our own extension, so nothing had to be guessed."""
    guessed: list[str] = field(default_factory=list)
    """Fields filled with a TODO placeholder or a default the instructor should confirm."""


# --- export ----------------------------------------------------------------------------------


def card_from_persona(persona: Persona, card: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A Character Card V2 for the persona; `card` is the persona file's card section."""
    card = dict(card or {})
    profile = persona.profile
    persona_data = persona_to_data(persona)
    extensions = dict(card.get("extensions") or {})
    extensions[EXTENSION] = {"format": EXTENSION_FORMAT, "persona": persona_data}
    data: dict[str, Any] = {
        "name": profile.name,
        "description": f"{profile.name}, {profile.age}. {profile.situation}",
        "personality": _personality(persona),
        "scenario": (
            f"{{{{char}}}} is a therapy client ({profile.archetype.label}) in a session with {{{{user}}}}, "
            "a therapist in training. {{char}} stays in character, never acts as the therapist, answers in "
            "one to four short sentences, and softens only when truly understood."
        ),
        "first_mes": profile.opening_lines[0],
        "mes_example": _mes_example(persona),
        "creator_notes": (
            f"Rehearse persona: a difficult therapy client ({profile.archetype.label}), difficulty "
            f"{profile.difficulty}/5. Import it with `rehearse persona import` to keep its hidden feelings, "
            "probes and instructor notes."
        ),
        "system_prompt": card.get("system_prompt", ""),
        "post_history_instructions": card.get("post_history_instructions", ""),
        "alternate_greetings": list(profile.opening_lines[1:]),
        "tags": list(profile.tags),
        "creator": card.get("creator", ""),
        "character_version": card.get("character_version", ""),
        "extensions": extensions,
    }
    if "character_book" in card:
        data["character_book"] = card["character_book"]
    return {"spec": V2_SPEC, "spec_version": "2.0", "data": data}


def _mes_example(persona: Persona) -> str:
    """The card's example dialogue: each example exchange as a {{user}} / {{char}} pair, then the
    client's loose speech examples."""
    blocks = [f"<START>\n{{{{user}}}}: {e.therapist or '*waits in silence*'}\n{{{{char}}}}: {e.client}\n"
              for e in persona.client.example_exchanges]
    blocks += [f"<START>\n{{{{char}}}}: {line}\n" for line in persona.client.speech_examples]
    return "".join(blocks)


def _personality(persona: Persona) -> str:
    client = persona.client
    parts = [client.speaking_style, "", "Feels underneath, and says only once trust is earned:"]
    parts += [f"- {feeling.feeling}: {feeling.reason}" for feeling in client.hidden_feelings]
    if client.what_helps:
        parts += ["", "What helps:"] + [f"- {item}" for item in client.what_helps]
    if client.what_backfires:
        parts += ["", "What backfires:"] + [f"- {item}" for item in client.what_backfires]
    return "\n".join(parts)


# --- import ----------------------------------------------------------------------------------


def persona_data_from_card(card: Any) -> ImportedCard:
    """Persona data from a parsed card of any version; PersonaError when it is not a card."""
    try:
        card = _plain_text(card, "")
    except RecursionError:
        raise PersonaError("the card is nested too deeply", "import a card made by a card app") from None
    version, fields = _card_fields(card)
    kept = _kept_card_section(fields)
    ours = (fields.get("extensions") or {}).get(EXTENSION) if isinstance(fields.get("extensions"), Mapping) else None
    if isinstance(ours, Mapping) and isinstance(ours.get("persona"), Mapping):
        data = copy.deepcopy(dict(ours["persona"]))
        data.pop("card", None)
        if kept:
            data["card"] = kept
        return ImportedCard(data, version, from_rehearse=True)
    return _guess_persona(fields, kept, version)


def _card_fields(card: Any) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(card, Mapping):
        raise PersonaError("not a character card: the JSON is not an object", "import a card's .json or .png file")
    spec = card.get("spec")
    if spec in (V2_SPEC, V3_SPEC):
        if not isinstance(card.get("data"), Mapping):
            raise PersonaError(f"{spec} card has no 'data' object", "re-export the card from the app that made it")
        return ("V2" if spec == V2_SPEC else "V3"), card["data"]
    if spec is not None:
        raise PersonaError(f"unsupported card spec {spec!r}", "import a V1, V2 (chara_card_v2) or V3 (chara_card_v3) card")
    if isinstance(card.get("name"), str):
        return "V1", card
    raise PersonaError("not a character card: no 'spec' and no 'name'", "import a card's .json or .png file")


def _plain_text(value: Any, field: str) -> Any:
    """The card with Windows line breaks made plain ones; PersonaError naming the first field whose
    text (or key) holds any other control character."""
    if isinstance(value, Mapping):
        for key in value:
            character = control_character(str(key))
            if character:
                raise PersonaError(f"{field or 'the card'} has a key with the control character {describe(character)}",
                                   "remove it from the card: persona files hold plain text")
        return {key: _plain_text(item, f"{field}.{key}" if field else str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_text(item, f"{field}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        character = control_character(value)
        if character:
            raise PersonaError(f"{field}: contains the control character {describe(character)}",
                               "remove it from the card: persona files hold plain text")
    return value


def _kept_card_section(fields: Mapping[str, Any]) -> dict[str, Any]:
    kept = {key: copy.deepcopy(fields[key]) for key in _KEPT_FIELDS if fields.get(key) not in (None, "", [], {})}
    extensions = fields.get("extensions")
    if isinstance(extensions, Mapping):
        others = {key: copy.deepcopy(value) for key, value in extensions.items() if key != EXTENSION}
        if others:
            kept["extensions"] = others
    return kept


def _guess_persona(fields: Mapping[str, Any], kept: dict[str, Any], version: str) -> ImportedCard:
    name = _text(fields.get("name")) or ""
    fill = _Filler(name)
    description = fill.clean(fields.get("description"))
    scenario = fill.clean(fields.get("scenario"))
    greetings = [fill.line(fields.get("first_mes"))] + [fill.line(g) for g in _list(fields.get("alternate_greetings"))]
    tags = [tag.strip() for tag in _list(fields.get("tags")) if isinstance(tag, str) and tag.strip()]
    data: dict[str, Any] = {
        "id": slug(name) or "imported-card",
        "name": name or fill.todo("name", "the client's name"),
        "age": _guess_age(f"{description}\n{scenario}") or fill.todo("age", "a whole number from 5 to 120"),
        "archetype": _guess_archetype(tags) or fill.todo("archetype", "one of " + ", ".join(a.value for a in Archetype)),
        "difficulty": 3,
        "tags": tags,
        "situation": "\n\n".join(part for part in (description, scenario) if part)
        or fill.todo("situation", "one paragraph the trainee reads before the session"),
        "opening_lines": [line for line in greetings if line] or [fill.todo("opening_lines", "what the client says first")],
        "client": {
            "speaking_style": fill.clean(fields.get("personality")) or fill.todo("client.speaking_style", "how the client talks"),
            "hidden_feelings": [
                {"feeling": fill.todo(f"client.hidden_feelings[{index}]", "a feeling the client hides"),
                 "intensity": 3, "reason": f"{PLACEHOLDER}: why the client feels it", "voice_at_trust": 5}
                for index in range(3)
            ],
            "what_helps": [fill.todo("client.what_helps", "what lets the client soften")],
            "what_backfires": [fill.todo("client.what_backfires", "what makes the client close down")],
            "speech_examples": _speech_examples(fields.get("mes_example"), name, fill),
            "example_exchanges": _example_exchanges(fields.get("mes_example"), name, fill),
        },
        "instructor": {"notes": fill.clean(fields.get("creator_notes")), "probes": []},
    }
    if data["client"]["example_exchanges"]:
        fill.guessed.append("client.example_exchanges (each exchange's moment, from the therapist's words)")
    else:
        del data["client"]["example_exchanges"]
    fill.guessed.append("difficulty (set to 3)")
    if kept:
        data["card"] = kept
    return ImportedCard(data, version, from_rehearse=False, guessed=fill.guessed)


class _Filler:
    """Cleans card text and hands out TODO placeholders, remembering which fields got one."""

    def __init__(self, name: str) -> None:
        self.name = name or "the client"
        self.guessed: list[str] = []

    def clean(self, value: Any) -> str:
        """Card prose with {{char}} as the name and {{user}} as 'the therapist'."""
        return _USER.sub("the therapist", _CHAR.sub(self.name, _text(value))).strip()

    def line(self, value: Any) -> str:
        """A line the client says, with {{user}} as 'you'."""
        text = _USER_ADDRESSED.sub("", _text(value))
        return _USER.sub("you", _CHAR.sub(self.name, text)).strip()

    def todo(self, field: str, what: str) -> str:
        self.guessed.append(field)
        return f"{PLACEHOLDER}: {what}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _guess_age(text: str) -> int | None:
    for match in _AGE.finditer(text):
        age = int(match.group(1) or match.group(2))
        if 5 <= age <= 120:
            return age
    return None


def _guess_archetype(tags: list[str]) -> str | None:
    names = {archetype.value for archetype in Archetype}
    return next((tag.lower().replace(" ", "-") for tag in tags if tag.lower().replace(" ", "-") in names), None)


def _speech_examples(value: Any, name: str, fill: _Filler) -> list[str]:
    """The character's own lines from a card's example dialogue."""
    speakers = ("{{char}}:", "<bot>:") + ((name.lower() + ":",) if name else ())
    lines = []
    for line in _text(value).splitlines():
        stripped = line.strip()
        speaker = next((s for s in speakers if stripped.lower().startswith(s)), None)
        if speaker:
            text = fill.line(stripped[len(speaker):])
            if text:
                lines.append(text)
    return lines[:8]


_MOMENT_CUES = (
    ("silence", re.compile(r"^\W*$|^\*[^*]*(silen|says nothing|waits|quiet)[^*]*\*$", re.IGNORECASE)),
    ("advice", re.compile(r"\b(should|have you (tried|thought|considered)|why don'?t you|try|maybe you could|"
                          r"what if you|you need to|you could)\b", re.IGNORECASE)),
    ("reassurance", re.compile(r"\b(you'?re doing|it'?ll be|don'?t worry|it will (be|get)|everything will|"
                               r"you'?ll be)\b", re.IGNORECASE)),
    ("reflection_low_trust", re.compile(r"\b(sounds like|it seems|you feel|you must|you seem|i hear)\b", re.IGNORECASE)),
    ("question", re.compile(r"\?")),
)


def _example_exchanges(value: Any, name: str, fill: _Filler) -> list[dict[str, str]]:
    """Each {{user}} line answered by the character in a card's example dialogue, as an example
    exchange; its moment is guessed from the user's words (the instructor confirms it)."""
    char = ("{{char}}:", "<bot>:") + ((name.lower() + ":",) if name else ())
    user = ("{{user}}:", "<user>:")
    exchanges, said = [], None
    for line in _text(value).splitlines():
        stripped = line.strip()
        lowered = stripped.lower()
        if lowered.startswith("<start>"):
            said = None
        elif speaker := next((s for s in user if lowered.startswith(s)), None):
            said = _USER.sub("you", _CHAR.sub(fill.name, stripped[len(speaker):])).strip()
        elif (speaker := next((s for s in char if lowered.startswith(s)), None)) and said is not None:
            reply = fill.line(stripped[len(speaker):])
            moment = next((m for m, cue in _MOMENT_CUES if cue.search(said)), "question")
            if reply:
                exchanges.append({"moment": moment, **({"therapist": said} if moment != "silence" else {}),
                                  "client": reply})
            said = None
    return exchanges[:12]
