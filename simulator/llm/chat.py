"""A chat model behind any OpenAI-compatible endpoint, reached through the openai client.

Retries are ours, not the openai client's, so their bound is explicit: 429 and 5xx answers are
retried with jittered exponential backoff; timeouts and refused connections are reported at once,
since waiting again rarely helps and the trainee should hear about it quickly.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simulator.domain import Sampling
from simulator.errors import ModelError
from simulator.llm.dry import DEFAULT_DRY_MULTIPLIER
from simulator.llm.structured import Answer, AnswerProblem, answer_schema, parse_answer

Message = dict[str, str]
T = TypeVar("T")

MAX_ATTEMPTS = 3
BACKOFF_BASE = 0.5
BACKOFF_CAP = 4.0
CONNECT_TIMEOUT = 5.0


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
    judge: str = "ask"
    """Rater only: 'heads' (trained heads over the bundled model's embeddings), 'logprobs' (yes/no
    questions read from the endpoint's logprobs) or 'ask' (the model answers each question); a
    declared capability of the endpoint, recorded with each session."""
    inner_voice: str = "model"
    prefill: bool = False
    """Client only: the endpoint carries on a reply whose first words it is handed (a last
    assistant message, with vLLM's `continue_final_message`), so a persona's opener can start it."""
    """Rater only: 'chosen' (the client's thought picked by the judgement) or 'model' (written by the model)."""
    deadline: float = 300.0
    """Seconds one whole answer may take; `timeout` bounds each wait within it."""
    max_chars: int = 16000
    """Longest answer kept: a streamed reply is cut there and marked, a whole answer refused."""


def cut_mark(max_chars: int) -> str:
    """What ends a streamed reply cut at the role's character limit."""
    return f" [… cut at {max_chars} characters]"


def backoff_delay(attempt: int, retry_after: float | None = None, jitter: float | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0-based): exponential, jittered, capped."""
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, BACKOFF_CAP)
    jitter = random.random() if jitter is None else jitter
    return min(BACKOFF_BASE * 2**attempt, BACKOFF_CAP) * (0.5 + 0.5 * jitter)


def _retry_after(error: Any) -> float | None:
    try:
        return float(error.response.headers.get("retry-after"))
    except (AttributeError, TypeError, ValueError):
        return None


def _retryable(error: Exception) -> bool:
    import openai

    return isinstance(error, openai.APIStatusError) and (error.status_code == 429 or error.status_code >= 500)


NOT_OPENAI_FIX = "check that the base URL is the server's OpenAI-compatible one, usually ending in /v1"


def _not_a_completion(endpoint: Endpoint, what: str) -> ModelError:
    return ModelError(f"{endpoint.role} model at {endpoint.base_url} {what}", NOT_OPENAI_FIX)


def _translate(error: Exception, endpoint: Endpoint, model: str | None) -> ModelError:
    """One line saying what went wrong with the model call and what to do about it."""
    import openai

    if isinstance(error, BaseExceptionGroup) and error.exceptions:  # httpx's task groups wrap the real failure
        return _translate(error.exceptions[0], endpoint, model)
    where = f"{endpoint.role} model at {endpoint.base_url}"
    if isinstance(error, openai.APITimeoutError):
        return ModelError(f"{where} did not answer within {endpoint.timeout:g} s",
                          "try again, or raise the role's timeout in the config file")
    if isinstance(error, openai.APIConnectionError):
        if endpoint.backend == "embedded":
            return ModelError(f"the local model for the {endpoint.role} stopped answering",
                              "try again; if it repeats, see the engine log in ~/.cache/rehearse/logs")
        return ModelError(f"server not reachable: {where}",
                          "start the server, or fix REHEARSE_BASE_URL / --base-url")
    if isinstance(error, openai.AuthenticationError):
        return ModelError(f"{where} rejected the API key",
                          "set the right key in REHEARSE_API_KEY or OPENAI_API_KEY")
    if isinstance(error, openai.NotFoundError):
        return ModelError(f"{where} does not know model '{model}'",
                          f"set REHEARSE_{endpoint.role.upper()}_MODEL to a model the server lists")
    if isinstance(error, openai.RateLimitError):
        return ModelError(f"{where} is rate limiting us", "wait a minute, then try again")
    if isinstance(error, openai.APIStatusError):
        return ModelError(f"{where} failed with HTTP {error.status_code}",
                          "try again; if it persists, check the server's log")
    if isinstance(error, ValueError):  # JSONDecodeError among them: a body that is not an API answer
        return ModelError(f"{where} answered with something that is not an OpenAI-style JSON answer",
                          NOT_OPENAI_FIX)
    return ModelError(f"{where} failed ({type(error).__name__}: {error})", "try again")


class ChatModel:
    """Streams replies and fetches schema-checked JSON answers from one endpoint."""

    def __init__(self, endpoint: Endpoint, before_request: Callable[[], Awaitable[None]] | None = None,
                 embedder: Any = None, headers: dict[str, str] | None = None, queue_url: str | None = None) -> None:
        self.endpoint = endpoint
        self.headers = dict(headers or {})
        """Sent with every request (a room's shared engine: which tab is asking)."""
        self.queue_url = queue_url
        """A room's shared engine: where to ask how many requests are ahead of this tab's."""
        self.embedder = embedder
        """The Embedder the rater's heads read lines through (judge 'heads'), else None."""
        self.before_request = before_request
        """Awaited before every request, e.g. to start the embedded engine on first use."""
        self._client: Any = None
        self._model: str | None = endpoint.model
        self._schema_supported = True

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                base_url=self.endpoint.base_url,
                api_key=self.endpoint.api_key,
                timeout=openai.Timeout(self.endpoint.timeout, connect=CONNECT_TIMEOUT),
                max_retries=0,
                default_headers=self.headers or None,
            )
        return self._client

    async def queue_ahead(self) -> int | None:
        """On a room's shared engine: how many requests go before this tab's next one (None when
        not shared, or when the queue does not answer)."""
        if self.queue_url is None:
            return None
        from simulator.llm.shared import requests_ahead

        return await requests_ahead(self.queue_url)

    def _past_deadline(self) -> ModelError:
        return ModelError(f"{self.endpoint.role} model at {self.endpoint.base_url} took longer than "
                          f"{self.endpoint.deadline:g} s for one answer",
                          f"try again, or raise [{self.endpoint.role}] deadline in the config file")

    async def _call(self, make_call: Callable[[], Awaitable[T]], deadline: float | None = None) -> T:
        """Run one request, retrying 429 and 5xx answers, by `deadline` (the loop's clock; default:
        the role's deadline from now); any failure becomes a ModelError."""
        if self.before_request is not None:
            await self.before_request()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.endpoint.deadline if deadline is None else deadline
        for attempt in range(MAX_ATTEMPTS):
            try:
                async with asyncio.timeout_at(deadline):
                    return await make_call()
            except TimeoutError:
                raise self._past_deadline() from None
            except ModelError:
                raise
            except Exception as error:
                if _retryable(error) and attempt < MAX_ATTEMPTS - 1:
                    await asyncio.sleep(backoff_delay(attempt, _retry_after(error)))
                    continue
                raise _translate(error, self.endpoint, self._model) from None
        raise AssertionError("unreachable")

    async def model_name(self) -> str:
        """The configured model, or else the first one the endpoint lists."""
        if self._model is None:
            page = await self._call(self.client.models.list)
            names = [model.id for model in page.data]
            if not names:
                raise ModelError(f"{self.endpoint.role} endpoint {self.endpoint.base_url} lists no models",
                                 f"set REHEARSE_{self.endpoint.role.upper()}_MODEL")
            self._model = names[0]
        return self._model

    async def _create(self, request: dict[str, Any]) -> Any:
        """POST /chat/completions with our body as it is. openai-python's own `create` first walks
        the parameters through its type transforms, ~3 ms of CPU a call; a room of tabs on 2 cores
        feels that (bench/README.md, "A workshop room under load"). Errors, retries off, timeouts
        and response parsing stay the client's."""
        from openai import AsyncStream
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        body = {key: value for key, value in request.items() if key != "extra_body"}
        body.update(request.get("extra_body") or {})
        stream = bool(body.get("stream"))
        return await self.client.post("/chat/completions", body=body, cast_to=ChatCompletion, stream=stream,
                                      stream_cls=AsyncStream[ChatCompletionChunk] if stream else None)

    def _request(self, model: str, messages: list[Message], **extra: Any) -> dict[str, Any]:
        defaults = dict(temperature=self.endpoint.temperature, max_tokens=self.endpoint.max_tokens)
        return {"model": model, "messages": messages, **defaults, **extra}

    def sampling_options(self, sampling: Sampling | None) -> dict[str, Any]:
        """A persona's sampling as request options. llama.cpp's repeat penalty and the DRY penalty
        (its default when the persona sets none) go only to the embedded engine, as other servers
        may refuse an option they do not know."""
        sampling = sampling or Sampling()
        engine_only = ("repeat_penalty", "dry_multiplier")
        options: dict[str, Any] = {key: value for key, value in vars(sampling).items()
                                   if value is not None and key not in engine_only}
        if self.endpoint.backend == "embedded":
            extra: dict[str, Any] = {}
            if sampling.repeat_penalty is not None:
                extra["repeat_penalty"] = sampling.repeat_penalty
            dry = DEFAULT_DRY_MULTIPLIER if sampling.dry_multiplier is None else sampling.dry_multiplier
            if dry > 0:
                extra["dry_multiplier"] = dry
            if extra:
                options["extra_body"] = extra
        return options

    async def stream(self, messages: list[Message], sampling: Sampling | None = None,
                     seed: int | None = None, opening: str = "") -> AsyncIterator[str]:
        """The reply, piece by piece as the model writes it; `sampling` is the persona's own, `seed`
        asks for a draw of its own (a rewrite must not come back word for word). On an endpoint that
        takes a prefill, `opening` is the reply's first words, given at once, and the model carries
        on from them; elsewhere it is ignored.

        A stream that ends without the server saying it finished was cut off: that is an error,
        not a short reply.
        """
        model = await self.model_name()
        opening = opening if self.endpoint.prefill else ""
        if opening:
            # vLLM's names; llama.cpp's server continues a final assistant message of itself.
            messages = [*messages, {"role": "assistant", "content": opening}]
            continuation = {"continue_final_message": True, "add_generation_prompt": False}
        else:
            continuation = {}
        request = self._request(model, messages, stream=True, **self.sampling_options(sampling),
                                **({"seed": seed} if seed is not None else {}), **continuation)
        deadline = asyncio.get_running_loop().time() + self.endpoint.deadline
        if opening:
            yield opening
        stream = await self._call(lambda: self._create(request), deadline)
        chunks = aiter(stream)
        received = 0
        events = choices = 0
        finished = False
        try:
            while not finished:
                # The deadline covers each wait for the server, never the caller's time between pieces.
                try:
                    async with asyncio.timeout_at(deadline):
                        chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise self._past_deadline() from None
                events += 1
                for choice in getattr(chunk, "choices", None) or ():
                    choices += 1
                    content = choice.delta.content if choice.delta else None
                    if content and received + len(content) > self.endpoint.max_chars:
                        yield content[:self.endpoint.max_chars - received] + cut_mark(self.endpoint.max_chars)
                        received = self.endpoint.max_chars
                        finished = True
                        break
                    if content:
                        received += len(content)
                        yield content
                    if choice.finish_reason:
                        finished = True
        except ModelError:
            raise
        except Exception as error:
            if received:
                raise ModelError(f"the {self.endpoint.role}'s reply was cut off after {received} characters "
                                 f"({type(error).__name__})", "send your line again") from None
            raise _translate(error, self.endpoint, model) from None
        finally:
            await stream.close()
        if not finished and not received and not choices:
            raise _not_a_completion(self.endpoint, "answered, but with no reply in its stream"
                                    if events else "answered, but not with a stream of chat completions")
        if not finished:
            raise ModelError(f"the {self.endpoint.role}'s reply was cut off after {received} characters "
                             "(the stream ended early)", "send your line again")

    async def complete(self, messages: list[Message], **extra: Any) -> str:
        model = await self.model_name()
        request = self._request(model, messages, **extra)
        response = await self._call(lambda: self._create(request))
        if not hasattr(response, "choices"):
            raise _not_a_completion(self.endpoint, "answered, but not with a chat completion")
        if not response.choices:
            raise _not_a_completion(self.endpoint, "answered, but with no reply in it (no choices)")
        content = response.choices[0].message.content or ""
        if len(content) > self.endpoint.max_chars:
            raise ModelError(f"{self.endpoint.role} model at {self.endpoint.base_url} gave an answer of "
                             f"{len(content)} characters, longer than its limit of {self.endpoint.max_chars}",
                             f"raise [{self.endpoint.role}] max_chars in the config file, or lower max_tokens")
        return content

    async def yes_probability(self, messages: list[Message]) -> float:
        """P("yes") against P("no") for the first token of the answer, read from the endpoint's top logprobs."""
        model = await self.model_name()
        request = self._request(model, messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=10)
        response = await self._call(lambda: self._create(request))
        choice = response.choices[0] if response.choices else None
        content = choice.logprobs.content if choice is not None and choice.logprobs is not None else None
        if not content:
            raise ModelError(f"{self.endpoint.role} model at {self.endpoint.base_url} gives no logprobs",
                             f"set [{self.endpoint.role}] judge = \"ask\" (REHEARSE_RATER_JUDGE=ask)")
        yes = no = 0.0
        for item in content[0].top_logprobs or [content[0]]:
            word = item.token.strip().lower()
            if word == "yes":
                yes += math.exp(item.logprob)
            elif word == "no":
                no += math.exp(item.logprob)
        return yes / (yes + no) if yes + no else 0.0

    async def _complete_structured(self, messages: list[Message], schema: dict[str, Any], name: str) -> str:
        """Ask with `response_format`; a backend that refuses it gets the schema in the prompt instead."""
        if self._schema_supported:
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
            try:
                return await self.complete(messages, response_format=response_format)
            except ModelError as error:
                if "HTTP 400" not in error.what and "HTTP 422" not in error.what:
                    raise
                self._schema_supported = False
        instruction = {"role": "system", "content": f"Answer with one JSON object matching this JSON Schema: "
                                                   f"{json.dumps(schema)}"}
        return await self.complete([*messages, instruction])

    async def complete_json(self, messages: list[Message], answer: type[Answer], name: str) -> Answer:
        """An answer of the typed model `answer`, whose JSON Schema is sent in `response_format`, with one
        repair round that shows the model its error."""
        schema = answer_schema(answer)
        conversation = list(messages)
        problem = ""
        for _ in range(2):
            text = await self._complete_structured(conversation, schema, name)
            try:
                return parse_answer(text, answer)
            except AnswerProblem as error:
                problem = str(error)
            conversation = [
                *messages,
                {"role": "assistant", "content": text},
                {"role": "user", "content": (
                    f"That answer does not match the required JSON Schema: {problem}. "
                    f"Answer again with JSON only, matching this schema: {json.dumps(schema)}"
                )},
            ]
        raise ModelError(f"{self.endpoint.role} model gave an invalid {name} twice ({problem[:160]})",
                         f"try again, or use a stronger {self.endpoint.role} model")

    async def aclose(self) -> None:
        if self.embedder is not None:
            await self.embedder.aclose()
        if self._client is not None:
            await self._client.close()
            self._client = None
