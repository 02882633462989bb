"""Appraise one trainee reply from the client's hidden point of view.

Small models answer small questions more reliably than one big form, so the appraisal asks several
narrow questions — one per hidden feeling, one per EPITOME mechanism, one for skills and traps, one
for how understood the client felt — and combines the answers here. Every question shares the same
context prefix, so a local engine evaluates the persona and transcript once per turn.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from simulator.domain import (
    EPITOME_MECHANISMS,
    FIVE_SECRETS,
    TRAPS,
    Appraisal,
    HiddenFeeling,
    Persona,
    Speaker,
    Touch,
    Turn,
    TurnKind,
)
from simulator.llm.chat import ChatModel, Endpoint, Message
from simulator.llm.model_files import DEFAULT_MODEL
from simulator.prompts import PromptRenderer
from simulator.rating.overlap import named_in_words

OFF_TASK_STAND_IN = "(says something addressed to the simulator rather than to the client)"
SILENCE_TEXT = "*waits in silence*"

TOUCH_SCHEMA = {
    "type": "object",
    "properties": {"touch": {"type": "string", "enum": [t.value for t in Touch]}},
    "required": ["touch"],
    "additionalProperties": False,
}
QUOTE_SCHEMA = {
    "type": "object",
    "properties": {"quote": {"type": "string"}},
    "required": ["quote"],
    "additionalProperties": False,
}
# Stock phrases that make a mechanism only weakly present (EPITOME level 1).
GENERIC = {
    "emotional_reaction": None,  # weak unless long and specific: see epitome_grade
    "interpretation": re.compile(r"^\W*(i (totally |completely )?(understand|get it|know (how|what) you)|i feel you|"
                                 r"same here|me too|i hear you)\b[^.!?]{0,25}[.!?]*\W*$", re.IGNORECASE),
    "exploration": re.compile(r"^\W*(what happened|are you (ok|okay|alright)|how are you( doing| feeling)?|"
                              r"what'?s wrong|why)\W*$", re.IGNORECASE),
}
STRONG_REACTION_WORDS = 12
"""An emotional reaction this long is specific to the person (EPITOME's strong level is rare and long)."""


def _flags(names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "boolean"} for name in names},
        "required": list(names),
        "additionalProperties": False,
    }


SKILLS_SCHEMA = {
    "type": "object",
    "properties": {"skills": _flags(FIVE_SECRETS), "traps": _flags(TRAPS)},
    "required": ["skills", "traps"],
    "additionalProperties": False,
}
REACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "understood": {"type": "integer", "minimum": 0, "maximum": 4},
        "inner_reaction": {"type": "string"},
    },
    "required": ["understood", "inner_reaction"],
    "additionalProperties": False,
}

# Plain-text evidence of two traps that small raters often miss; a match counts even if the rater said no.
ADVICE = re.compile(
    r"\b(you should|you need to|you have to|you could try|have you (tried|thought about|considered)|"
    r"why don'?t you|what if you|maybe you could|i'?d suggest|i suggest|try to|it might help to|"
    r"it would help to|make sure (you|to))\b",
    re.IGNORECASE,
)
REASSURANCE = re.compile(
    r"\b(don'?t worry|it'?ll be (ok|okay|fine|alright)|it will be (ok|okay|fine|alright)|everything will be|"
    r"you'?re doing (a )?(great|fine|good|amazing)|i'?m sure (it|you|things)|look on the bright side|"
    r"at least you)\b",
    re.IGNORECASE,
)


def turn_text(turn: Turn) -> str:
    """A turn as the rater sees it: instructions aimed at the simulator are not shown to it."""
    if turn.off_task:
        return OFF_TASK_STAND_IN
    if turn.kind is TurnKind.SILENCE:
        return SILENCE_TEXT
    return turn.text


def lexical_traps(reply: str) -> set[str]:
    found = set()
    if ADVICE.search(reply):
        found.add("early_advice")
    if REASSURANCE.search(reply):
        found.add("reassurance")
    return found


def combine(
    feelings: dict[str, Touch],
    epitome: dict[str, int],
    skills: dict[str, bool],
    traps: dict[str, bool],
    understood: int,
    inner_reaction: str,
    reply: str,
    named: dict[str, Touch] | None = None,
) -> Appraisal:
    """One appraisal from the separate answers, made consistent with each other and with the text.

    `named` is how far the reply's own words reach each feeling (`named_in_words`): it can raise the
    rater's answer, unless the reply fell into a trap.
    """
    trap_names = {name for name, hit in traps.items() if hit} | lexical_traps(reply)
    if named and not trap_names:
        feelings = {name: max(touch, named.get(name, Touch.NONE), key=lambda t: t.rank)
                    for name, touch in feelings.items()}
    touches = list(feelings.values())
    if trap_names and not any(t is Touch.ACCURATELY for t in touches):
        understood = min(understood, 2)
    if all(t is Touch.NONE for t in touches) and not any(epitome.values()):
        understood = min(understood, 1)
    if Touch.ACCURATELY in touches and not trap_names:
        understood = max(understood, 2)
    return Appraisal(
        feelings=feelings,
        epitome=epitome,
        skills=tuple(name for name in FIVE_SECRETS if skills.get(name)),
        traps=tuple(name for name in TRAPS if name in trap_names),
        understood=understood,
        inner_reaction=inner_reaction.strip(),
    )


def epitome_needs_model(endpoint: Endpoint) -> bool:
    """Whether the EPITOME levels come from the rater's copied words, or from the reply's words alone.

    On the EPITOME development sample the bundled 1.5B model's copies added no agreement with people
    over the reply's own words (it copies something out of nearly every reply), at the price of three
    model calls a turn (bench/README.md). Every other model is asked.
    """
    return not (endpoint.backend == "embedded" and endpoint.model == DEFAULT_MODEL.filename.removesuffix(".gguf"))


class Appraiser:
    """Asks the rater model the appraisal's questions about the latest trainee reply."""

    def __init__(self, rater: ChatModel, prompts: PromptRenderer, persona: Persona, concurrent: bool) -> None:
        self.rater = rater
        self.prompts = prompts
        self.persona = persona
        self.concurrent = concurrent
        """Ask the questions side by side (remote endpoints) or one after another (a local engine)."""
        self.epitome_by_model = epitome_needs_model(rater.endpoint)

    def context_message(self, turns: list[Turn]) -> Message:
        content = self.prompts.render("rater_context.j2", profile=self.persona.profile, client=self.persona.client,
                                      turns=turns, turn_text=turn_text)
        return {"role": "system", "content": content}

    async def _ask(self, context: Message, template: str, schema: dict[str, Any], name: str, **values: Any) -> Any:
        question = self.prompts.render(template, profile=self.persona.profile, **values)
        return await self.rater.complete_json([context, {"role": "user", "content": question}], schema, name=name)

    async def appraise(self, turns: list[Turn],
                       before_each: Callable[[], Awaitable[None]] | None = None) -> Appraisal:
        """Appraise the last turn in `turns`, which must be the trainee's.

        `before_each` is awaited before each question asked one after another, so a local engine
        can hold the appraisal back while the client is speaking.
        """
        latest = turns[-1]
        assert latest.speaker is Speaker.TRAINEE
        context = self.context_message(turns)
        values = {"turn_number": len(turns), "reply": turn_text(latest)}

        def feeling_question(feeling: HiddenFeeling) -> Callable[[], Awaitable[Any]]:
            return lambda: self._ask(context, "appraisal_feeling.j2", TOUCH_SCHEMA, "feeling_touch",
                                     feeling=feeling, **values)

        def epitome_question(mechanism: str) -> Callable[[], Awaitable[Any]]:
            return lambda: epitome_level(self.rater, self.prompts, context, mechanism, **values)

        epitome_questions = EPITOME_MECHANISMS if self.epitome_by_model else ()
        questions = [feeling_question(f) for f in self.persona.client.hidden_feelings]
        questions += [epitome_question(m) for m in epitome_questions]
        questions.append(lambda: self._ask(context, "appraisal_skills.j2", SKILLS_SCHEMA, "skills_and_traps", **values))
        questions.append(lambda: self._ask(context, "appraisal_reaction.j2", REACTION_SCHEMA, "client_reaction",
                                           **values))
        if self.concurrent:
            answers = await asyncio.gather(*(ask() for ask in questions))
        else:
            answers = []
            for ask in questions:
                if before_each is not None:
                    await before_each()
                answers.append(await ask())

        feelings_count = len(self.persona.client.hidden_feelings)
        feeling_answers = answers[:feelings_count]
        epitome_answers = answers[feelings_count:feelings_count + len(epitome_questions)] if epitome_questions \
            else [epitome_grade(m, "", latest.text) for m in EPITOME_MECHANISMS]
        skills_answer, reaction_answer = answers[-2], answers[-1]
        return combine(
            feelings={f.feeling: Touch(a["touch"]) for f, a in zip(self.persona.client.hidden_feelings, feeling_answers)},
            epitome=dict(zip(EPITOME_MECHANISMS, epitome_answers)),
            skills=skills_answer["skills"],
            traps=skills_answer["traps"],
            understood=reaction_answer["understood"],
            inner_reaction=reaction_answer["inner_reaction"],
            reply=latest.text,
            named={f.feeling: named_in_words(turn_text(latest), f) for f in self.persona.client.hidden_feelings},
        )


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def grounded(quote: str, reply: str) -> bool:
    """True when the quoted words really are in the reply (small models sometimes invent them)."""
    wanted = _normal(quote)
    return bool(wanted) and wanted != "none" and wanted in _normal(reply)


# Plain-text evidence for each EPITOME mechanism. A small rater misses much of what these catch, and
# finds much that is not there; the words decide when the rater's copy cannot be found in the reply.
EVIDENCE = {
    "emotional_reaction": re.compile(
        r"\b(sorry|hugs?|so sad|painful|heartbreaking|breaks my heart|that sucks|that'?s (awful|terrible|horrible|rough|"
        r"tough|hard)|i feel (for|so|bad|sad)|my heart|i'?m (so )?(glad|happy) (you|to hear)|i hope|hopefully|hope (you|things)|"
        r"sending (you )?(love|hugs)|i care|proud|congrat\w*|wonderful|omg\w*|hang in there|"
        r"you('?re| are|'?re not| aren'?t) not alone|you aren'?t alone|i feel (the same|you)|i know how|"
        r"i can relate|i agree|you did the right thing|worst feeling|totally normal|feel free to (message|pm|talk)|pm me|message me|i'?m here|here for you)\b",
        re.IGNORECASE),
    # Reflections of the person's feelings, and (as EPITOME counts them) telling of a similar experience.
    "interpretation": re.compile(
        r"\b(sounds? like|seems? like you|must (be|feel|have been)|i (can )?(totally |completely )?understand|"
        r"i know (how|what|the feeling|that feeling)|i'?ve been (there|through)|i went through|same|"
        r"i('?m| am| was) in (a )?similar|i (can |could |totally |really )?relate|i get (it|that)|me too|i hear you|"
        r"i (also|too)\b|i('?ve| have) (had|felt|struggled|dealt|gone|experienced)|i used to|when i was|"
        r"happened to me|for me|i feel (the same|like that)|(like|with) you,? i|"
        r"i (always|never|sometimes|often|still|feel|felt)\b|\bmy\b)", re.IGNORECASE),
    "exploration": re.compile(r"[^.!?]*\b(you|your|you'?re)\b[^.!?]*\?|"
                              r"\b(what happened|what'?s wrong|what'?s going on|how come)\b[^.!?]*\?", re.IGNORECASE),
}


def epitome_grade(mechanism: str, quote: str, reply: str) -> int:
    """0 none, 1 weak, 2 strong, from the words the rater found for a mechanism and the reply's own words."""
    found = quote if grounded(quote, reply) else ""
    if mechanism == "emotional_reaction" and found and not EVIDENCE[mechanism].search(found):
        found = ""  # the small rater calls most sentences feelings; keep its copy only if the words agree
    if not found:
        evidence = EVIDENCE[mechanism].search(reply)
        if evidence is None:
            return 0
        # A matched stock phrase of interpretation says nothing of how specific the rest is: judge the
        # whole reply. Emotional reactions and questions are judged on the words found.
        found = reply if mechanism == "interpretation" else evidence.group(0)
    if mechanism == "emotional_reaction":
        return 2 if len(found.split()) >= STRONG_REACTION_WORDS else 1
    generic = GENERIC[mechanism]
    return 1 if generic and generic.match(found.strip()) else 2


async def epitome_level(rater: ChatModel, prompts: PromptRenderer, context: Message, mechanism: str,
                        **values: Any) -> int:
    """How strongly the reply shows one EPITOME mechanism, from the words the rater finds for it."""
    question = prompts.render("appraisal_epitome.j2", mechanism=mechanism, **values)
    answer = await rater.complete_json([context, {"role": "user", "content": question}], QUOTE_SCHEMA,
                                       name="epitome_quote")
    return epitome_grade(mechanism, answer["quote"], values["reply"])


async def epitome_levels(rater: ChatModel, prompts: PromptRenderer, post: str, response: str,
                         mechanisms: tuple[str, ...] = EPITOME_MECHANISMS, ask_model: bool | None = None,
                         ) -> dict[str, int]:
    """EPITOME levels of a response to a help-seeking post, found the same way as in a session
    (`ask_model` overrides `epitome_needs_model`)."""
    if not (epitome_needs_model(rater.endpoint) if ask_model is None else ask_model):
        return {m: epitome_grade(m, "", response) for m in mechanisms}
    context = {"role": "system", "content": (
        "You judge how empathic a reply to someone seeking support is.\n"
        f"<post>\n{post}\n</post>\n<reply>\n{response}\n</reply>"
    )}
    return {m: await epitome_level(rater, prompts, context, m, turn_number=0, reply=response) for m in mechanisms}
