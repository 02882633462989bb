"""Embeddings of short texts from an OpenAI-compatible `/v1/embeddings`, through the openai client.

The rater's heads were trained on the bundled model's mean-pooled embeddings, so the embedder is
that model, served by the embedded engine; vectors are remembered per text, so a persona's hidden
feelings are embedded once a session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from simulator.errors import ModelError

CONNECT_TIMEOUT = 5.0
EMBEDDING_TOKENS = 256
"""The embedding server reads at most this many tokens of a text (its batch size); the rest is cut."""


class Embedder:
    def __init__(self, base_url: str, model: str, timeout: float = 60.0,
                 before_request: Callable[[], Awaitable[None]] | None = None, api_key: str = "not-needed",
                 headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = dict(headers or {})
        self.model = model
        self.timeout = timeout
        self.before_request = before_request
        self.api_key = api_key
        self._client: Any = None
        self._remembered: dict[str, list[float]] = {}

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(base_url=self.base_url, api_key=self.api_key, max_retries=1,
                                              timeout=openai.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                                              default_headers=self.headers or None)
        return self._client

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._remembered]
        if missing:
            if self.before_request is not None:
                await self.before_request()
            try:
                response = await self.client.embeddings.create(model=self.model, input=missing,
                                                               encoding_format="float")
            except Exception as error:
                raise ModelError(f"the rater's embedding model at {self.base_url} failed ({type(error).__name__})",
                                 "try again; if it repeats, see the engine log in ~/.cache/rehearse/logs") from None
            vectors = [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
            if len(vectors) != len(missing) or not all(isinstance(v, list) and v for v in vectors):
                raise ModelError(f"the rater's embedding model at {self.base_url} gave {len(vectors)} vectors "
                                 f"for {len(missing)} texts", "try again")
            self._remembered.update(zip(missing, vectors))
        return [self._remembered[text] for text in texts]

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
