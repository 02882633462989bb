"""Appraise one trainee reply from the client's hidden point of view.

Three ways of judging, declared by the rater endpoint's `judge`:
- 'heads' (the default on the bundled model): the shipped heads judge every part of the appraisal
  from the line's words and the bundled model's embedding (`learned_judge`), measured against
  people's labels; the client's inner reaction is chosen by that judgement (`inner_voice`, the
  default on the bundled model) or voiced by the rater model.
- 'logprobs' (the default on OpenAI): narrow yes/no questions, each answer's probability read from
  the endpoint's logprobs (`logprob_judge`); the model then voices the inner reaction.
- 'ask' (other models): small, narrow questions — one per hidden feeling, one per EPITOME
  mechanism, one for skills and traps, one for how understood the client felt — combined here.
  Every question shares the same context prefix, so a local engine reads the persona and
  transcript once per turn.
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
from simulator.errors import ModelError
from simulator.llm.chat import ChatModel, Message
from simulator.prompts import PromptRenderer
from simulator.rating.answers import ClientReaction, FeelingTouch, InnerReaction, Quote, SkillsAndTraps
from simulator.rating.embedding_text import feeling_text
from simulator.rating.inner_voice import chosen_thought
from simulator.rating.evidence import epitome_grade
from simulator.rating.learned_judge import judge_line
from simulator.rating.logprob_judge import judge_by_logprobs

OFF_TASK_STAND_IN = "(says something addressed to the simulator rather than to the client)"
SILENCE_TEXT = "*waits in silence*"


def turn_text(turn: Turn) -> str:
    """A turn as the rater sees it: instructions aimed at the simulator are not shown to it."""
    if turn.off_task:
        return OFF_TASK_STAND_IN
    if turn.kind is TurnKind.SILENCE:
        return SILENCE_TEXT
    return turn.text


def combine(
    feelings: dict[str, Touch],
    epitome: dict[str, int],
    skills: dict[str, bool],
    traps: dict[str, bool],
    understood: int,
    inner_reaction: str,
) -> Appraisal:
    """One appraisal from a rater model's separate answers, made consistent with each other by the
    labelling rubric: a trap leaves the client understood at most 2 unless a feeling was reached
    accurately, nothing reached and no empathy at all at most 1, a feeling reached accurately at least 2."""
    trap_names = {name for name, hit in traps.items() if hit}
    touches = list(feelings.values())
    if trap_names and Touch.ACCURATELY not in touches:
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


def quiet_judgement(turn: Turn, feelings: tuple[HiddenFeeling, ...]) -> Appraisal:
    """A silence reaches nothing and costs nothing; a line aimed at the simulator leaves the client unheard."""
    return Appraisal(feelings={f.feeling: Touch.NONE for f in feelings}, epitome={m: 0 for m in EPITOME_MECHANISMS},
                     skills=(), traps=(), understood=0 if turn.off_task else 1, inner_reaction="")


def judged_by_heads(rater: ChatModel) -> bool:
    """Whether the rater's lines are judged by the shipped heads (its endpoint declares judge 'heads')."""
    return rater.endpoint.judge == "heads"


class Appraiser:
    """Asks the rater model the appraisal's questions about the latest trainee reply."""

    def __init__(self, rater: ChatModel, prompts: PromptRenderer, persona: Persona, concurrent: bool) -> None:
        self.rater = rater
        self.prompts = prompts
        self.persona = persona
        self.concurrent = concurrent
        """Ask the questions side by side (remote endpoints) or one after another (a local engine)."""
        self.by_heads = judged_by_heads(rater)
        """The shipped heads judge; the rater model only voices the inner reaction."""

    def context_message(self, turns: list[Turn]) -> Message:
        content = self.prompts.render("rater_context.j2", profile=self.persona.profile, client=self.persona.client,
                                      turns=turns, turn_text=turn_text)
        return {"role": "system", "content": content}

    async def _ask(self, context: Message, template: str, answer: type, name: str, **values: Any) -> Any:
        question = self.prompts.render(template, profile=self.persona.profile, **values)
        return await self.rater.complete_json([context, {"role": "user", "content": question}], answer, name=name)

    async def appraise(self, turns: list[Turn],
                       before_each: Callable[[], Awaitable[None]] | None = None) -> Appraisal:
        """Appraise the last turn in `turns`, which must be the trainee's.

        `before_each` is awaited before each question asked one after another, so a local engine
        can hold the appraisal back while the client is speaking.
        """
        latest = turns[-1]
        assert latest.speaker is Speaker.TRAINEE
        if self.by_heads or self.rater.endpoint.judge == "logprobs":
            return await self._appraise_with_heads(turns, before_each)
        context = self.context_message(turns)
        values = {"turn_number": len(turns), "reply": turn_text(latest)}

        def feeling_question(feeling: HiddenFeeling) -> Callable[[], Awaitable[Any]]:
            return lambda: self._ask(context, "appraisal_feeling.j2", FeelingTouch, "feeling_touch",
                                     feeling=feeling, **values)

        def epitome_question(mechanism: str) -> Callable[[], Awaitable[Any]]:
            return lambda: epitome_level(self.rater, self.prompts, context, mechanism, **values)

        questions = [feeling_question(f) for f in self.persona.client.hidden_feelings]
        questions += [epitome_question(m) for m in EPITOME_MECHANISMS]
        questions.append(lambda: self._ask(context, "appraisal_skills.j2", SkillsAndTraps, "skills_and_traps", **values))
        questions.append(lambda: self._ask(context, "appraisal_reaction.j2", ClientReaction, "client_reaction",
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
            feelings={f.feeling: Touch(a.touch) for f, a in zip(self.persona.client.hidden_feelings, feeling_answers)},
            epitome=dict(zip(EPITOME_MECHANISMS, epitome_answers)),
            skills=skills_answer.skills.model_dump(),
            traps=skills_answer.traps.model_dump(),
            understood=reaction_answer.understood,
            inner_reaction=reaction_answer.inner_reaction,
        )

    async def warm_up(self) -> None:
        """With heads: start the embedding server and embed the hidden feelings before the first line."""
        if self.by_heads and self.rater.embedder is not None:
            await self.rater.embedder.embed([feeling_text(f) for f in self.persona.client.hidden_feelings])

    async def judge(self, latest: Turn, before_each: Callable[[], Awaitable[None]] | None = None,
                    turns: list[Turn] | None = None) -> Appraisal:
        """The judgement of one trainee line by the heads, or by logprob-scored questions in `turns`' context."""
        feelings = self.persona.client.hidden_feelings
        if latest.off_task or latest.kind is TurnKind.SILENCE or not latest.text.strip():
            return quiet_judgement(latest, feelings)
        if self.rater.endpoint.judge == "logprobs":
            turns = turns or [latest]
            return await judge_by_logprobs(self.rater, self.prompts, self.persona, self.context_message(turns),
                                           latest, latest.text, len(turns))
        if self.rater.embedder is None:
            raise ModelError("the rater's heads have no embedding model to read the line with",
                             "set [rater] judge = \"ask\", or run `rehearse model install` for the bundled model")
        if before_each is not None:
            await before_each()
        vectors = await self.rater.embedder.embed([latest.text, *(feeling_text(f) for f in feelings)])
        return judge_line(latest.text, vectors[0], feelings, vectors[1:])

    @property
    def voices_reaction_apart(self) -> bool:
        """Whether the judgement comes first and the inner reaction is voiced after it (heads and
        logprobs), rather than in the same answers (ask)."""
        return self.by_heads or self.rater.endpoint.judge == "logprobs"

    @property
    def voices_with_model(self) -> bool:
        """Whether the rater model writes the inner reaction (else it is chosen from the judgement)."""
        return self.rater.endpoint.inner_voice == "model"

    @property
    def needs_rater_model(self) -> bool:
        """False when the heads judge and the thought is chosen: the rater model is never asked."""
        return not (self.by_heads and not self.voices_with_model)

    async def _appraise_with_heads(self, turns: list[Turn],
                                   before_each: Callable[[], Awaitable[None]] | None) -> Appraisal:
        """The heads (or logprob-scored questions) judge the line; the rater model then voices the
        client's inner reaction to it."""
        appraisal = await self.judge(turns[-1], before_each, turns)
        return await self.voice_reaction(turns, appraisal, before_each)

    async def voice_reaction(self, turns: list[Turn], appraisal: Appraisal,
                             before_each: Callable[[], Awaitable[None]] | None = None) -> Appraisal:
        """`appraisal` with the client's inner reaction to the last line of `turns`, in words that
        agree with its numbers."""
        latest = turns[-1]
        if not self.voices_with_model:
            thought = chosen_thought(self.persona.profile.archetype, appraisal, latest.kind, len(turns))
            return replace(appraisal, inner_reaction=thought)
        if before_each is not None:
            await before_each()
        context = self.context_message(turns)
        reaction = await self._ask(context, "appraisal_inner_reaction.j2", InnerReaction, "inner_reaction",
                                   turn_number=len(turns), reply=turn_text(latest),
                                   understood=appraisal.understood, traps=appraisal.traps)
        return replace(appraisal, inner_reaction=reaction.inner_reaction.strip())


async def epitome_level(rater: ChatModel, prompts: PromptRenderer, context: Message, mechanism: str,
                        **values: Any) -> int:
    """How strongly the reply shows one EPITOME mechanism, from the words the rater finds for it."""
    question = prompts.render("appraisal_epitome.j2", mechanism=mechanism, **values)
    answer = await rater.complete_json([context, {"role": "user", "content": question}], Quote,
                                       name="epitome_quote")
    return epitome_grade(mechanism, answer.quote, values["reply"], words_decide=False)


async def epitome_levels(rater: ChatModel, prompts: PromptRenderer, post: str, response: str,
                         mechanisms: tuple[str, ...] = EPITOME_MECHANISMS) -> dict[str, int]:
    """EPITOME levels of a response to a help-seeking post, judged the way a session judges a line."""
    if judged_by_heads(rater):
        from simulator.rating.learned_judge import epitome_of

        vector = (await rater.embedder.embed([response]))[0]
        levels = epitome_of(response, vector)
        return {m: levels[m] for m in mechanisms}
    context = {"role": "system", "content": (
        "You judge how empathic a reply to someone seeking support is.\n"
        f"<post>\n{post}\n</post>\n<reply>\n{response}\n</reply>"
    )}
    return {m: await epitome_level(rater, prompts, context, m, turn_number=0, reply=response) for m in mechanisms}
