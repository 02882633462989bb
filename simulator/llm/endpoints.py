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


def prefill_for(role: str, settings: RoleSettings, backend: str) -> bool:
    """Whether the client's replies start from a persona's opener: the setting, else on the
    embedded engine only (other servers may not continue a final assistant message)."""
    if role != "client":
        return False
    return (settings.prefill or ("on" if backend == "embedded" else "off")) == "on"


def bundled_embedder(timeout: float):
    """An Embedder over the bundled model (the space the rater's heads were trained in), and its
    engine (None when a room's shared engine serves it)."""
    from simulator.errors import ModelError
    from simulator.llm.embedded import EmbeddedEngine
    from simulator.llm.embedder import EMBEDDING_TOKENS, Embedder
    from simulator.llm.model_files import verified_model
    from simulator.llm.shared import TAB_HEADER, TAB_ID, shared_engine

    shared = shared_engine("embedder")
    if shared is not None:
        return Embedder(shared.base_url, shared.model, timeout=timeout, headers={TAB_HEADER: TAB_ID}), None
    try:
        path = verified_model()
    except ModelError as error:
        raise ConfigError(f"the rater's heads need the bundled model ({error.what})",
                          "run `rehearse model install`, or set [rater] judge = \"ask\" / REHEARSE_RATER_JUDGE=ask"
                          ) from None
    engine = EmbeddedEngine(path, "embedder", n_ctx=EMBEDDING_TOKENS, embedding=True)
    return Embedder(engine.base_url, engine.model_name, timeout=timeout, before_request=engine.ensure_started), engine


def _embedded_endpoint(role: str, settings: RoleSettings, base_url: str, model: str, bundled: bool) -> Endpoint:
    return Endpoint(role=role, base_url=base_url, api_key=LOCAL_PLACEHOLDER_KEY, model=model, backend="embedded",
                    temperature=settings.temperature, max_tokens=settings.max_tokens, timeout=settings.timeout,
                    deadline=settings.deadline, max_chars=settings.max_chars,
                    judge=judge_for(role, settings, bundled), inner_voice=inner_voice_for(role, settings, bundled),
                    prefill=prefill_for(role, settings, "embedded"))


def open_chat_model(role: str, settings: RoleSettings, model_path: Path | None):
    """The role's ChatModel, and the EmbeddedEngines behind it (its owner stops them). In a tab of
    `rehearse serve`, the embedded roles use the room's shared engines instead of starting their own."""
    from simulator.llm.shared import TAB_HEADER, TAB_ID, queue_url, shared_engine

    engines = []
    endpoint = endpoint_for(role, settings)
    before_request = None
    headers = queue = None
    shared = shared_engine(role) if endpoint is None else None
    if shared is not None:
        endpoint = _embedded_endpoint(role, settings, shared.base_url, shared.model, shared.bundled)
        headers, queue = {TAB_HEADER: TAB_ID}, queue_url(shared.base_url)
    elif endpoint is None:
        from simulator.llm.embedded import EmbeddedEngine
        from simulator.llm.model_files import verified_model

        if model_path and not model_path.is_file():
            raise ConfigError(f"model_path {model_path} is not a file",
                              "point --model-path / REHEARSE_MODEL_PATH at a GGUF model file")
        path = model_path if model_path else verified_model()
        engine = EmbeddedEngine(path, role)
        engines.append(engine)
        before_request = engine.ensure_started
        endpoint = _embedded_endpoint(role, settings, engine.base_url, engine.model_name, _is_bundled(path))
    else:
        endpoint = replace(endpoint, judge=judge_for(role, settings, False, endpoint.backend),
                           inner_voice=inner_voice_for(role, settings, False),
                           prefill=prefill_for(role, settings, endpoint.backend))
    embedder = None
    if endpoint.judge == "heads":
        embedder, engine = bundled_embedder(settings.timeout)
        if engine is not None:
            engines.append(engine)
    return ChatModel(endpoint, before_request=before_request, embedder=embedder, headers=headers,
                     queue_url=queue), engines


ROOM_PROMPT_CACHE_BYTES = 1 << 30
"""Per shared chat engine, when the RAM prompt cache is on (bench/room_load.py --prompt-cache)."""


def room_engines(settings, prompt_cache: bool = False):
    """`rehearse serve`: one embedded engine per role that runs on the embedded engine (and the
    embedder, when the rater's heads need it), behind the fair-turns proxy every tab shares. None
    when no role is embedded or the model is not installed yet (then each tab manages alone).
    llama.cpp's RAM prompt cache stays off: with it, two tabs' median first token was slower
    (bench/README.md, "A workshop room under load")."""
    from simulator.errors import ModelError
    from simulator.llm.embedded import EmbeddedEngine
    from simulator.llm.embedder import EMBEDDING_TOKENS
    from simulator.llm.model_files import verified_model
    from simulator.llm.shared import SharedEngines, Upstream

    roles = [role for role in ("client", "rater") if endpoint_for(role, settings.role(role)) is None]
    if not roles:
        return None, []
    if settings.model_path:
        path = settings.model_path
        if not path.is_file():
            return None, []
    else:
        try:
            path = verified_model()
        except ModelError:
            return None, []
    bundled = _is_bundled(path)
    cache = ROOM_PROMPT_CACHE_BYTES if prompt_cache else 0
    engines = {role: EmbeddedEngine(path, role, prompt_cache_bytes=cache) for role in roles}
    if "rater" in roles and judge_for("rater", settings.rater, bundled) == "heads":
        engines["embedder"] = EmbeddedEngine(verified_model(), "embedder", n_ctx=EMBEDDING_TOKENS, embedding=True)
    upstreams = [Upstream(role, engine.base_url, engine.model_name, engine.ensure_started)
                 for role, engine in engines.items()]
    return SharedEngines(upstreams, bundled=bundled), list(engines.values())
