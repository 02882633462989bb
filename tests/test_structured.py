from __future__ import annotations

import pytest

from simulator.llm.structured import NoJsonFound, extract_json, schema_errors
from simulator.rating.form import form_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 4},
        "kind": {"type": "string", "enum": ["none", "partly", "accurately"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["score", "kind"],
    "additionalProperties": False,
}


def test_a_conforming_value_has_no_errors():
    assert schema_errors({"score": 3, "kind": "partly", "tags": ["a"]}, SCHEMA) == []


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"score": 5, "kind": "none"}, "$.score: must be at most 4, got 5"),
        ({"score": -1, "kind": "none"}, "$.score: must be at least 0, got -1"),
        ({"score": True, "kind": "none"}, "$.score: expected integer, got true"),
        ({"score": 1.5, "kind": "none"}, "$.score: expected integer, got 1.5"),
        ({"score": 1}, "$: missing required key 'kind'"),
        ({"score": 1, "kind": "maybe"}, "$.kind: must be one of ['none', 'partly', 'accurately'], got \"maybe\""),
        ({"score": 1, "kind": "none", "extra": 1}, "$: unexpected key 'extra'"),
        ({"score": 1, "kind": "none", "tags": [3]}, "$.tags[0]: expected string, got 3"),
        ([1], "$: expected object, got [1]"),
    ],
)
def test_each_breach_is_named_by_path(value, error):
    assert error in schema_errors(value, SCHEMA)


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
