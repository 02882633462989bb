"""The client's post-session form: the schema we ask for, the call that fills it, and its checks."""

from __future__ import annotations

import difflib
from typing import Any

from simulator.domain import (
    EMPATHY_ITEMS,
    HELPFULNESS_ITEM,
    SESSION_ITEMS,
    ClientForm,
    LowScoreQuote,
    Persona,
    Speaker,
    Turn,
)
from simulator.llm.chat import ChatModel
from simulator.llm.structured import answer_schema
from simulator.prompts import PromptRenderer
from simulator.rating.answers import client_form_answer
from simulator.rating.appraisal import judged_by_heads, turn_text
from simulator.rating.form_scores import scores_from_appraisals

LOW_SCORE_AT = 2
"""Empathy items scored at or below this need a quote from the transcript."""


def form_schema() -> dict[str, Any]:
    """The JSON Schema of the form the rater fills in (`answers.client_form_answer`)."""
    return answer_schema(client_form_answer())


def _grounded_quote(quote: str, trainee_lines: list[str]) -> str | None:
    """The trainee's own line that the rater quoted (or meant to quote); None if the trainee said nothing."""
    if not trainee_lines:
        return None
    wanted = quote.strip().strip('"').casefold()
    for line in trainee_lines:
        if wanted and wanted in line.casefold():
            return quote.strip().strip('"')
    return max(trainee_lines, key=lambda line: difflib.SequenceMatcher(None, wanted, line.casefold()).ratio())


def form_from_answer(answer: dict[str, Any], turns: list[Turn]) -> ClientForm:
    """Build the form, keeping only quotes the trainee really said, one per low empathy item."""
    trainee_lines = [turn.text for turn in turns if turn.speaker is Speaker.TRAINEE and turn.text and not turn.off_task]
    empathy = {item.key: answer["empathy"][item.key] for item in EMPATHY_ITEMS}
    quoted: dict[str, str] = {}
    for entry in answer["low_score_quotes"]:
        item = entry["item"]
        if empathy.get(item, 4) <= LOW_SCORE_AT and item not in quoted:
            line = _grounded_quote(entry["quote"], trainee_lines)
            if line:
                quoted[item] = line
    return ClientForm(
        empathy=empathy,
        helpfulness=answer["helpfulness"],
        session={item.key: answer["session"][item.key] for item in SESSION_ITEMS},
        comment=answer["comment"].strip(),
        low_score_quotes=tuple(LowScoreQuote(item, quote) for item, quote in quoted.items()),
    )


def _felt_along_the_way(turns: list[Turn]) -> list[dict[str, Any]]:
    return [
        {"turn": index + 1, "understood": turn.appraisal.understood,
         "traps": [trap.replace("_", " ") for trap in turn.appraisal.traps]}
        for index, turn in enumerate(turns)
        if turn.speaker is Speaker.TRAINEE and turn.appraisal
    ]


async def fill_form(rater: ChatModel, prompts: PromptRenderer, persona: Persona, turns: list[Turn]) -> ClientForm:
    if judged_by_heads(rater):
        return _form_from_appraisals(turns)
    context = prompts.render("rater_context.j2", profile=persona.profile, client=persona.client, turns=turns,
                             turn_text=turn_text)
    question = prompts.render(
        "client_form.j2",
        profile=persona.profile,
        empathy_items=EMPATHY_ITEMS,
        helpfulness_item=HELPFULNESS_ITEM,
        session_items=SESSION_ITEMS,
        felt=_felt_along_the_way(turns),
    )
    messages = [{"role": "system", "content": context}, {"role": "user", "content": question}]
    answer = await rater.complete_json(messages, client_form_answer(), name="client_form")
    return form_from_answer(answer.model_dump(), turns)


def _form_from_appraisals(turns: list[Turn]) -> ClientForm:
    """The form worked out from the session's appraisals (`form_scores`), when the heads judged them."""
    final = next((turn.state_after for turn in reversed(turns) if turn.state_after), None)
    scores = scores_from_appraisals(turns, final)
    return ClientForm(
        empathy=scores.empathy,
        helpfulness=scores.helpfulness,
        session=scores.session,
        comment=scores.comment,
        low_score_quotes=tuple(LowScoreQuote(item, line) for item, line in scores.low_score_lines.items()),
    )
