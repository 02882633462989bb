from __future__ import annotations

import pytest

from typing import Literal

from pydantic import Field

from simulator.llm.structured import AnswerProblem, NoJsonFound, StrictAnswer, answer_schema, extract_json, parse_answer
from simulator.rating.answers import SkillsAndTraps
from simulator.rating.form import form_schema


class Judgement(StrictAnswer):
    score: int = Field(ge=0, le=4)
    kind: Literal["none", "partly", "accurately"]
    tags: list[str] = []


def test_the_schema_sent_is_the_models_own():
    schema = answer_schema(Judgement)
    assert schema["properties"]["score"] == {"type": "integer", "minimum": 0, "maximum": 4}
    assert schema["properties"]["kind"]["enum"] == ["none", "partly", "accurately"]
    assert schema["additionalProperties"] is False and set(schema["required"]) == {"score", "kind"}


def test_nested_answers_are_sent_self_contained():
    schema = answer_schema(SkillsAndTraps)
    assert "$ref" not in str(schema) and "$defs" not in schema
    assert schema["properties"]["traps"]["properties"]["early_advice"] == {"type": "boolean"}


def test_a_conforming_answer_is_parsed_into_its_model():
    answer = parse_answer('{"score": 3, "kind": "partly", "tags": ["a"]}', Judgement)
    assert (answer.score, answer.kind, answer.tags) == (3, "partly", ["a"])
    assert parse_answer('Here:\n```json\n{"score": 0, "kind": "none"}\n```', Judgement).kind == "none"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"score": 5, "kind": "none"}', "$.score"),
        ('{"score": -1, "kind": "none"}', "$.score"),
        ('{"score": true, "kind": "none"}', "$.score"),
        ('{"score": 1.5, "kind": "none"}', "$.score"),
        ('{"score": "3", "kind": "none"}', "$.score"),
        ('{"score": 1}', "$.kind"),
        ('{"score": 1, "kind": "maybe"}', "$.kind"),
        ('{"score": 1, "kind": "none", "extra": 1}', "$.extra"),
        ('{"score": 1, "kind": "none", "tags": [3]}', "$.tags[0]"),
        ("[1]", "$"),
    ],
)
def test_each_breach_is_named_by_path(text, where):
    with pytest.raises(AnswerProblem) as problem:
        parse_answer(text, Judgement)
    assert str(problem.value).startswith(where + ":") or f"; {where}:" in str(problem.value)


def test_an_answer_without_json_says_so():
    with pytest.raises(AnswerProblem, match="holds no JSON"):
        parse_answer("I would rate the therapist highly.", Judgement)


def test_json_is_found_inside_prose_and_fences():
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('Sure! Here it is:\n```json\n{"a": {"b": [1, 2]}}\n```\nHope that helps.') == {"a": {"b": [1, 2]}}
    assert extract_json("noise {not json} then {\"ok\": true}") == {"ok": True}
    with pytest.raises(NoJsonFound):
        extract_json("I would rate the therapist highly.")


def test_the_form_schema_is_strict_and_complete():
    schema = form_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    assert set(schema["properties"]["empathy"]["required"]) == {"warmth", "trust", "respect", "listening", "understood"}
    assert set(schema["properties"]["session"]["required"]) == {"relationship", "goals", "approach", "overall"}
