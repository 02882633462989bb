"""A chat model behind any OpenAI-compatible endpoint, reached through the openai client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from simulator.errors import ModelError
from simulator.llm.structured import NoJsonFound, extract_json, schema_errors

Message = dict[str, str]


@dataclass(frozen=True)
class Endpoint:
    """Where one role's model lives and how to sample from it."""

    role: str
    base_url: str
    api_key: str
    model: str | None
    backend: str
    """'openai', 'embedded' or 'endpoint' (any other OpenAI-compatible server)."""
    temperature: float
    max_tokens: int
    timeout: float


def _translate(error: Exception, endpoint: Endpoint) -> ModelError:
    """One line saying what went wrong with the model call and what to do about it."""
    import openai

    where = f"{endpoint.role} model at {endpoint.base_url}"
    if isinstance(error, openai.APITimeoutError):
        return ModelError(f"{where} did not answer within {endpoint.timeout:g} s",
                          "try again, or raise the timeout in the config file")
    if isinstance(error, openai.APIConnectionError):
        return ModelError(f"server not reachable: {where}",
                          "start the server, or fix REHEARSE_BASE_URL / --base-url")
    if isinstance(error, openai.AuthenticationError):
        return ModelError(f"{where} rejected the API key", "set the right key in REHEARSE_API_KEY or OPENAI_API_KEY")
    if isinstance(error, openai.NotFoundError):
        return ModelError(f"{where} does not know model '{endpoint.model}'",
                          f"set REHEARSE_{endpoint.role.upper()}_MODEL to a model the server lists")
    if isinstance(error, openai.RateLimitError):
        return ModelError(f"{where} is rate limiting us", "wait a minute, then try again")
    if isinstance(error, openai.APIStatusError):
        return ModelError(f"{where} failed with HTTP {error.status_code}", "try again; if it persists, check the server's log")
    return ModelError(f"{where} failed: {error}", "try again")


class ChatModel:
    """Streams replies and fetches schema-checked JSON answers from one endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._client: Any = None
        self._model: str | None = endpoint.model

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                base_url=self.endpoint.base_url,
                api_key=self.endpoint.api_key,
                timeout=self.endpoint.timeout,
                max_retries=2,
            )
        return self._client

    async def model_name(self) -> str:
        """The configured model, or else the first one the endpoint lists."""
        if self._model is None:
            try:
                page = await self.client.models.list()
            except Exception as error:
                raise _translate(error, self.endpoint) from None
            names = [model.id for model in page.data]
            if not names:
                raise ModelError(f"{self.endpoint.role} endpoint {self.endpoint.base_url} lists no models",
                                 f"set REHEARSE_{self.endpoint.role.upper()}_MODEL")
            self._model = names[0]
        return self._model

    async def stream(self, messages: list[Message]) -> AsyncIterator[str]:
        """The reply, piece by piece as the model writes it."""
        model = await self.model_name()
        try:
            stream = await self.client.chat.completions.create(
                model=model,
                messages=messages,
                temperature=self.endpoint.temperature,
                max_tokens=self.endpoint.max_tokens,
                stream=True,
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except Exception as error:
            if isinstance(error, ModelError):
                raise
            raise _translate(error, self.endpoint) from None

    async def _complete(self, messages: list[Message], **extra: Any) -> str:
        model = await self.model_name()
        try:
            response = await self.client.chat.completions.create(
                model=model,
                messages=messages,
                temperature=self.endpoint.temperature,
                max_tokens=self.endpoint.max_tokens,
                **extra,
            )
        except Exception as error:
            raise _translate(error, self.endpoint) from None
        if not response.choices:
            raise ModelError(f"{self.endpoint.role} model returned no answer", "try again")
        return response.choices[0].message.content or ""

    async def complete_json(self, messages: list[Message], schema: dict[str, Any], name: str) -> Any:
        """A JSON answer that conforms to `schema`, with one repair round that shows the model its error."""
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
        conversation = list(messages)
        problem = ""
        for attempt in range(2):
            text = await self._complete(conversation, response_format=response_format)
            try:
                value = extract_json(text)
                errors = schema_errors(value, schema)
            except NoJsonFound:
                errors = ["the answer holds no JSON object"]
            if not errors:
                return value
            problem = "; ".join(errors[:5])
            conversation = [
                *messages,
                {"role": "assistant", "content": text},
                {"role": "user", "content": (
                    f"That answer does not match the required JSON Schema: {problem}. "
                    f"Answer again with JSON only, matching this schema: {json.dumps(schema)}"
                )},
            ]
        raise ModelError(f"{self.endpoint.role} model gave an invalid {name} twice ({problem[:160]})",
                         "try again, or use a stronger rater model")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
