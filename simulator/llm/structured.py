"""Structured answers: typed pydantic models give the JSON Schema we send and check what comes back.

`answer_schema` is the model's `model_json_schema()` made self-contained (references inlined, titles
dropped), as OpenAI's strict structured outputs and llama.cpp's grammar converter both take it.
`parse_answer` validates a model's text with `model_validate_json`, and failing that finds the JSON
inside prose or a ``` fence first.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

Answer = TypeVar("Answer", bound=BaseModel)


class StrictAnswer(BaseModel):
    """Base of every answer a model gives us: no extra keys, no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
    return {key: _inline(value, definitions) for key, value in node.items() if key not in ("title", "$defs")}


def answer_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema, self-contained: what goes into `response_format`."""
    schema = model.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


class NoJsonFound(ValueError):
    pass


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer, also when it is wrapped in prose or a ``` fence."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    for start, char in enumerate(text):
        if char in "{[":
            try:
                value, _ = decoder.raw_decode(text, start)
                return value
            except json.JSONDecodeError:
                continue
    raise NoJsonFound("the answer holds no JSON value")


class AnswerProblem(ValueError):
    """What is wrong with an answer, in a few words a model can act on."""


def _problems(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_answer(text: str, model: type[Answer]) -> Answer:
    """The answer in `text` as a `model`; raises AnswerProblem naming what breaks the schema."""
    try:
        return model.model_validate_json(text.strip())
    except ValidationError as error:
        first = error
    try:
        value = extract_json(text)
    except NoJsonFound:
        raise AnswerProblem("the answer holds no JSON value") from None
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise AnswerProblem(_problems(error if value is not None else first)) from None
