"""Choose each role's endpoint: explicit settings win, then an OpenAI key, then the embedded engine."""

from __future__ import annotations

from pathlib import Path

from simulator.errors import ConfigError
from simulator.llm.chat import ChatModel, Endpoint
from simulator.settings import OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL, RoleSettings

LOCAL_PLACEHOLDER_KEY = "not-needed"


def endpoint_for(role: str, settings: RoleSettings) -> Endpoint | None:
    """The configured remote endpoint for a role, or None when the embedded engine should serve it."""
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
    return None


def open_chat_model(role: str, settings: RoleSettings, model_path: Path | None):
    """The role's ChatModel, and the EmbeddedEngine behind it when there is one (its owner stops it)."""
    endpoint = endpoint_for(role, settings)
    if endpoint is not None:
        return ChatModel(endpoint), None
    from simulator.llm.embedded import EmbeddedEngine
    from simulator.llm.model_files import verified_model

    if model_path and not model_path.is_file():
        raise ConfigError(f"model_path {model_path} is not a file",
                          "point --model-path / REHEARSE_MODEL_PATH at a GGUF model file")
    path = model_path if model_path else verified_model()
    engine = EmbeddedEngine(path, role)
    endpoint = Endpoint(role=role, base_url=engine.base_url, api_key=LOCAL_PLACEHOLDER_KEY,
                        model=engine.model_name, backend="embedded", temperature=settings.temperature,
                        max_tokens=settings.max_tokens, timeout=settings.timeout)
    return ChatModel(endpoint, before_request=engine.ensure_started), engine
