"""A copy of a session fit for someone else to read (`rehearse export --anonymize`): no person's
name, no contact details, no id or time of day that could tie it to a trainee or to a real client.

The trainee's and a workshop group's names are known and replaced everywhere. Names typed into
lines are found as well as plain text allows: words after a title ("Dr. Jonathan Reyes"), and
capitalised words inside a sentence that are neither common words nor the fictional persona's own
names. That errs towards hiding a word too many: a review copy may lose a place name, never a person.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone

from simulator.domain import Persona, Session

NAME_STANDS_IN = "[trainee]"
TYPED_NAME = "[name]"
EMAIL = "[e-mail]"
PHONE = "[phone]"
ANONYMOUS_ID = "anonymized"

COMMON_CAPITALISED = frozenset("""
I I'm I've I'll I'd OK Okay Mum Mom Dad Mummy Daddy Mother Father Mother's Father's Grandma Grandpa Nan Gran
God Christmas Easter Ramadan Eid Diwali Hanukkah New Year Year's Monday Tuesday Wednesday Thursday Friday
Saturday Sunday January February March April May June July August September October November December
English British American Internet TV GP NHS A&E ICU ADHD PTSD OCD AA CBT DBT AI UK US USA Google Facebook
Instagram WhatsApp Zoom Uber Covid COVID Dr Mr Mrs Ms Miss Mx Prof Sir Madam
""".split())
"""Capitalised words that are no one's name (titles alone are no name; the name after one is)."""

_TITLED = re.compile(r"\b(Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Brother|Father|Auntie|Aunt|Uncle)\.?"
                     r"((?:\s+[A-Z][\w'-]*)+)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{6,}\d(?![\w/])")
_CAPITALISED = re.compile(r"(?<=[\w,;:)] )[A-Z][a-z][\w'-]*")
"""A capitalised word after another word in the same sentence (so never a sentence's first)."""


def _persona_names(persona: Persona | None) -> set[str]:
    """Capitalised words of the persona's own text: the client's name and the people of their story."""
    if persona is None:
        return set()
    texts = [persona.profile.name, persona.profile.situation, *persona.profile.opening_lines,
             persona.client.speaking_style, *persona.client.speech_examples,
             *(f"{f.feeling} {f.reason}" for f in persona.client.hidden_feelings)]
    return {word for text in texts for word in re.findall(r"\b[A-Z][\w'-]*", text)}


def _known_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    words = {word for name in names for word in (name, *name.split()) if len(word) > 1}
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)


def anonymized(session: Session, persona: Persona | None = None) -> Session:
    """A copy without the trainee's or a workshop group's names (group members become "Trainee 1",
    "Trainee 2", … as who said a line), names typed in lines, e-mail addresses and phone numbers;
    its id is replaced and every time is cut to the day."""
    copied = copy.deepcopy(session)
    copied.trainee = ""
    copied.id = ANONYMOUS_ID
    group = list(dict.fromkeys(turn.by for branch in session.branches for turn in branch.turns if turn.by))
    known = _known_name_pattern(name.strip() for name in (session.trainee, *group) if name.strip())
    stand_ins = {name: f"Trainee {number}" for number, name in enumerate(group, 1)}
    fictional = _persona_names(persona)

    def typed_name(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if word in COMMON_CAPITALISED or word in fictional else TYPED_NAME

    def titled(match: re.Match[str]) -> str:
        return f"{match.group(1)} {TYPED_NAME}"

    def scrub(text: str) -> str:
        if known is not None:
            text = known.sub(NAME_STANDS_IN, text)
        text = _EMAIL.sub(EMAIL, text)
        text = _PHONE.sub(PHONE, text)
        text = _TITLED.sub(titled, text)
        return _CAPITALISED.sub(typed_name, text)

    day = datetime.combine(session.started_at.astimezone(timezone.utc).date(), datetime.min.time(), timezone.utc)
    copied.started_at = day
    for branch in copied.branches:
        if branch.ended_at is not None:
            branch.ended_at = day
        for turn in branch.turns:
            turn.at = day
            turn.by = stand_ins.get(turn.by, "")
            turn.text, turn.note = scrub(turn.text), scrub(turn.note)
            if turn.appraisal:
                turn.appraisal = replace(turn.appraisal, inner_reaction=scrub(turn.appraisal.inner_reaction))
        if branch.form:
            quotes = tuple(replace(q, quote=scrub(q.quote)) for q in branch.form.low_score_quotes)
            branch.form = replace(branch.form, comment=scrub(branch.form.comment), low_score_quotes=quotes)
    return copied
