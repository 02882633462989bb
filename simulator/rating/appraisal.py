"""Appraise one trainee reply from the client's hidden point of view.

Small models answer small questions more reliably than one big form, so the appraisal asks several
narrow questions — one per hidden feeling, one per EPITOME mechanism, one for skills and traps, one
for how understood the client felt — and combines the answers here, checked against the reply's own
words (`evidence`). The bundled 1.5B model is asked only two questions it answers well: which
feeling the reply named, in a few words, and the client's inner reaction. Every question shares the
same context prefix, so a local engine evaluates the persona and transcript once per turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
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
from simulator.rating.evidence import LEXICAL_TRAPS, epitome_grade, skills_in_words, traps_in_words
from simulator.rating.overlap import named_in_reply, named_in_summary

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
NAMED_FEELING_SCHEMA = {
    "type": "object",
    "properties": {"feeling": {"type": "string", "maxLength": 120}},
    "required": ["feeling"],
    "additionalProperties": False,
}
INNER_REACTION_SCHEMA = {
    "type": "object",
    "properties": {"inner_reaction": {"type": "string", "maxLength": 200}},
    "required": ["inner_reaction"],
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

def turn_text(turn: Turn) -> str:
    """A turn as the rater sees it: instructions aimed at the simulator are not shown to it."""
    if turn.off_task:
        return OFF_TASK_STAND_IN
    if turn.kind is TurnKind.SILENCE:
        return SILENCE_TEXT
    return turn.text


def understood_from(feelings: dict[str, Touch], epitome: dict[str, int], traps: set[str]) -> int:
    """How understood (0-4) the client felt, going by what the reply reached and how."""
    if traps:
        return 0
    touches = list(feelings.values())
    accurate, partly = touches.count(Touch.ACCURATELY), touches.count(Touch.PARTLY)
    if accurate >= 2 or (accurate and epitome.get("interpretation", 0) >= 2):
        return 4
    if accurate:
        return 3
    if partly or epitome.get("interpretation", 0) >= 2:
        return 2
    return 1 if any(epitome.values()) else 0


def combine(
    feelings: dict[str, Touch],
    epitome: dict[str, int],
    skills: dict[str, bool],
    traps: dict[str, bool],
    understood: int | None,
    inner_reaction: str,
    reply: str,
    named: dict[str, Touch] | None = None,
) -> Appraisal:
    """One appraisal from the separate answers, made consistent with each other and with the text.

    `named` is how far the reply's own words reach each feeling (`named_in_words`): it can raise the
    rater's answer, unless the reply fell into a trap. `understood` None means the rater was not
    asked: it then follows from the feelings reached, the EPITOME levels and the traps. A rater's
    own answer is kept within what the rest shows.
    """
    trap_names = {name for name, hit in traps.items() if hit} | traps_in_words(reply, LEXICAL_TRAPS)
    if named and not trap_names:
        feelings = {name: max(touch, named.get(name, Touch.NONE), key=lambda t: t.rank)
                    for name, touch in feelings.items()}
    touches = list(feelings.values())
    if understood is None:
        understood = understood_from(feelings, epitome, trap_names)
    else:
        if trap_names and not any(t is Touch.ACCURATELY for t in touches):
            understood = min(understood, 2)
        if all(t is Touch.NONE for t in touches) and not any(epitome.values()):
            understood = min(understood, 1)
        if Touch.ACCURATELY in touches and not trap_names:
            understood = max(understood, 2)  # a rater's own "how understood" is trusted above that
    return Appraisal(
        feelings=feelings,
        epitome=epitome,
        skills=tuple(name for name in FIVE_SECRETS if skills.get(name)),
        traps=tuple(name for name in TRAPS if name in trap_names),
        understood=understood,
        inner_reaction=inner_reaction.strip(),
    )


def small_rater(endpoint: Endpoint) -> bool:
    """Whether the rater is the bundled 1.5B model, which is asked only what it answers reliably.

    On our checks it answered "none" for every hidden feeling, 0 for how understood the client felt,
    and its traps, skills and EPITOME copies agreed no better than the reply's own words
    (docs/yes-but-demo.md, bench/README.md). It can still say in a few words which feeling a reply
    named, and voice the client's inner reaction; the words decide the rest. Every other model is
    asked every question.
    """
    return endpoint.backend == "embedded" and endpoint.model == DEFAULT_MODEL.filename.removesuffix(".gguf")


def epitome_needs_model(endpoint: Endpoint) -> bool:
    """Whether the EPITOME levels come from the rater's copied words, or from the reply's words alone."""
    return not small_rater(endpoint)


class Appraiser:
    """Asks the rater model the appraisal's questions about the latest trainee reply."""

    def __init__(self, rater: ChatModel, prompts: PromptRenderer, persona: Persona, concurrent: bool) -> None:
        self.rater = rater
        self.prompts = prompts
        self.persona = persona
        self.concurrent = concurrent
        """Ask the questions side by side (remote endpoints) or one after another (a local engine)."""
        self.in_words = small_rater(rater.endpoint)
        """Ask only for the named feeling and the inner reaction; the reply's words answer the rest."""
        self.epitome_by_model = not self.in_words

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
        if self.in_words:
            return await self._appraise_in_words(turns, before_each)
        context = self.context_message(turns)
        values = {"turn_number": len(turns), "reply": turn_text(latest)}

        def feeling_question(feeling: HiddenFeeling) -> Callable[[], Awaitable[Any]]:
            return lambda: self._ask(context, "appraisal_feeling.j2", TOUCH_SCHEMA, "feeling_touch",
                                     feeling=feeling, **values)

        def epitome_question(mechanism: str) -> Callable[[], Awaitable[Any]]:
            return lambda: epitome_level(self.rater, self.prompts, context, mechanism, **values)

        questions = [feeling_question(f) for f in self.persona.client.hidden_feelings]
        questions += [epitome_question(m) for m in EPITOME_MECHANISMS]
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
        epitome_answers = answers[feelings_count:feelings_count + len(EPITOME_MECHANISMS)]
        skills_answer, reaction_answer = answers[-2], answers[-1]
        return combine(
            feelings={f.feeling: Touch(a["touch"]) for f, a in zip(self.persona.client.hidden_feelings, feeling_answers)},
            epitome=dict(zip(EPITOME_MECHANISMS, epitome_answers)),
            skills=skills_answer["skills"],
            traps=skills_answer["traps"],
            understood=reaction_answer["understood"],
            inner_reaction=reaction_answer["inner_reaction"],
            reply=latest.text,
            named=named_in_reply(turn_text(latest), self.persona.client.hidden_feelings),
        )

    async def _appraise_in_words(self, turns: list[Turn],
                                 before_each: Callable[[], Awaitable[None]] | None) -> Appraisal:
        """The small rater's appraisal: two questions, the rest read from the reply's words."""
        latest = turns[-1]
        reply = turn_text(latest)
        feelings = self.persona.client.hidden_feelings
        context = self.context_message(turns)
        values = {"turn_number": len(turns), "reply": reply}
        if before_each is not None:
            await before_each()
        summary = (await self._ask(context, "appraisal_named_feeling.j2", NAMED_FEELING_SCHEMA, "named_feeling",
                                   **values))["feeling"]
        from_summary = named_in_summary(summary, reply, feelings)
        from_words = named_in_reply(reply, feelings)
        named = {f.feeling: max(from_words[f.feeling], from_summary[f.feeling], key=lambda t: t.rank)
                 for f in feelings}
        traps = traps_in_words(reply)
        appraisal = combine(
            feelings={f.feeling: Touch.NONE for f in feelings},
            epitome={m: epitome_grade(m, "", reply) for m in EPITOME_MECHANISMS},
            skills={name: True for name in skills_in_words(reply)},
            traps={name: True for name in traps},
            understood=None,
            inner_reaction="",
            reply=reply,
            named=named,
        )
        if before_each is not None:
            await before_each()
        reaction = await self._ask(context, "appraisal_inner_reaction.j2", INNER_REACTION_SCHEMA, "inner_reaction",
                                   understood=appraisal.understood, traps=appraisal.traps, **values)
        return replace(appraisal, inner_reaction=reaction["inner_reaction"].strip())


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
