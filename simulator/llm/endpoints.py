"""Choose each role's endpoint: explicit settings win, then an OpenAI key, then the embedded engine."""

from __future__ import annotations

from simulator.errors import ConfigError
from simulator.llm.chat import Endpoint
from simulator.settings import OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL, RoleSettings

LOCAL_PLACEHOLDER_KEY = "not-needed"


def endpoint_for(role: str, settings: RoleSettings) -> Endpoint:
    sampling = dict(temperature=settings.temperature, max_tokens=settings.max_tokens, timeout=settings.timeout)
    if settings.base_url:
        backend = "openai" if settings.base_url.rstrip("/") == OPENAI_BASE_URL else "endpoint"
        return Endpoint(role=role, base_url=settings.base_url.rstrip("/"),
                        api_key=settings.api_key or LOCAL_PLACEHOLDER_KEY,
                        model=settings.model or (OPENAI_DEFAULT_MODEL if backend == "openai" else None),
                        backend=backend, **sampling)
    if settings.api_key:
        return Endpoint(role=role, base_url=OPENAI_BASE_URL, api_key=settings.api_key,
                        model=settings.model or OPENAI_DEFAULT_MODEL, backend="openai", **sampling)
    raise ConfigError(
        f"no model endpoint is set for the {role}",
        "set REHEARSE_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) or OPENAI_API_KEY",
    )
