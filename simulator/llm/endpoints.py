"""Choose each role's endpoint: explicit settings win, then an OpenAI key, then the embedded engine."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from simulator.errors import ConfigError
from simulator.llm.chat import ChatModel, Endpoint
from simulator.settings import OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL, RoleSettings

LOCAL_PLACEHOLDER_KEY = "not-needed"


def endpoint_for(role: str, settings: RoleSettings) -> Endpoint | None:
    """The configured remote endpoint for a role, or None when the embedded engine should serve it."""
    sampling = dict(temperature=settings.temperature, max_tokens=settings.max_tokens, timeout=settings.timeout,
                    deadline=settings.deadline, max_chars=settings.max_chars)
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


def _is_bundled(path: Path) -> bool:
    from simulator.llm.model_files import default_model_path

    try:
        return path.resolve() == default_model_path().resolve()
    except OSError:
        return False


def judge_for(role: str, settings: RoleSettings, bundled: bool, backend: str = "embedded") -> str:
    """How the rater judges lines: the setting, else 'heads' on the bundled model, 'logprobs' on
    OpenAI (which gives them) and 'ask' elsewhere."""
    if role != "rater":
        return "ask"
    return settings.judge or ("heads" if bundled else "logprobs" if backend == "openai" else "ask")


def inner_voice_for(role: str, settings: RoleSettings, bundled: bool) -> str:
    """Who voices the client's unspoken thought: the setting, else 'chosen' on the bundled model."""
    if role != "rater":
        return "model"
    return settings.inner_voice or ("chosen" if bundled else "model")


def bundled_embedder(timeout: float):
    """An Embedder over the bundled model (the space the rater's heads were trained in), and its engine."""
    from simulator.errors import ModelError
    from simulator.llm.embedded import EmbeddedEngine
    from simulator.llm.embedder import EMBEDDING_TOKENS, Embedder
    from simulator.llm.model_files import verified_model

    try:
        path = verified_model()
    except ModelError as error:
        raise ConfigError(f"the rater's heads need the bundled model ({error.what})",
                          "run `rehearse model install`, or set [rater] judge = \"ask\" / REHEARSE_RATER_JUDGE=ask"
                          ) from None
    engine = EmbeddedEngine(path, "embedder", n_ctx=EMBEDDING_TOKENS, embedding=True)
    return Embedder(engine.base_url, engine.model_name, timeout=timeout, before_request=engine.ensure_started), engine


def open_chat_model(role: str, settings: RoleSettings, model_path: Path | None):
    """The role's ChatModel, and the EmbeddedEngines behind it (its owner stops them)."""
    engines = []
    endpoint = endpoint_for(role, settings)
    before_request = None
    if endpoint is None:
        from simulator.llm.embedded import EmbeddedEngine
        from simulator.llm.model_files import verified_model

        if model_path and not model_path.is_file():
            raise ConfigError(f"model_path {model_path} is not a file",
                              "point --model-path / REHEARSE_MODEL_PATH at a GGUF model file")
        path = model_path if model_path else verified_model()
        engine = EmbeddedEngine(path, role)
        engines.append(engine)
        before_request = engine.ensure_started
        endpoint = Endpoint(role=role, base_url=engine.base_url, api_key=LOCAL_PLACEHOLDER_KEY,
                            model=engine.model_name, backend="embedded", temperature=settings.temperature,
                            max_tokens=settings.max_tokens, timeout=settings.timeout,
                            deadline=settings.deadline, max_chars=settings.max_chars,
                            judge=judge_for(role, settings, _is_bundled(path)),
                            inner_voice=inner_voice_for(role, settings, _is_bundled(path)))
    else:
        endpoint = replace(endpoint, judge=judge_for(role, settings, False, endpoint.backend),
                           inner_voice=inner_voice_for(role, settings, False))
    embedder = None
    if endpoint.judge == "heads":
        embedder, engine = bundled_embedder(settings.timeout)
        engines.append(engine)
    return ChatModel(endpoint, before_request=before_request, embedder=embedder), engines
