"""Typed settings, resolved field by field: CLI flags > environment > config TOML > defaults.

Within one layer a role's own setting (`[client]`, `REHEARSE_CLIENT_BASE_URL`, `--client-base-url`)
beats the setting shared by both roles (`[model]`, `REHEARSE_BASE_URL`, `--base-url`).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.errors import ConfigError

ROLES = ("client", "rater")

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class RoleSettings:
    """How one role (the client who talks, or the rater who fills in forms) reaches its model."""

    base_url: str | None = None
    """Root of an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 for Ollama."""
    api_key: str | None = None
    """Key sent as a bearer token; local servers accept any value."""
    model: str | None = None
    """Model name; when unset, the first model the endpoint lists."""
    temperature: float = 0.8
    """Sampling temperature; the rater runs low so its judgements are steady."""
    max_tokens: int = 400
    """Upper bound on the length of one answer."""
    timeout: float = 120.0
    """Seconds to wait for an answer before giving up."""
    judge: str | None = None
    """Rater only: how each line is judged — 'heads' (the shipped heads over the bundled model's
    embeddings, measured against people's labels), 'logprobs' (narrow yes/no questions, read from
    the endpoint's log-probabilities), or 'ask' (the rater model answers each question).
    Unset: 'heads' on the bundled model, 'logprobs' on OpenAI, 'ask' on any other."""


ROLE_DEFAULTS = {
    "client": RoleSettings(temperature=0.8, max_tokens=300),
    "rater": RoleSettings(temperature=0.1, max_tokens=800),
}


@dataclass(frozen=True)
class Settings:
    client: RoleSettings = field(default_factory=lambda: ROLE_DEFAULTS["client"])
    """The model that plays the client."""
    rater: RoleSettings = field(default_factory=lambda: ROLE_DEFAULTS["rater"])
    """The model that rates the trainee from the client's point of view."""
    transcripts: Path = field(default_factory=paths.default_transcripts_dir)
    """Folder where sessions are saved."""
    personas: tuple[Path, ...] = ()
    """Extra persona folders or files, searched after the built-in and user folders."""
    trainee: str = ""
    """Name of the trainee, stored with each session."""
    model_path: Path | None = None
    """A GGUF file for the embedded engine instead of the bundled model."""
    config_file: Path | None = None
    """The config file that was read, if any."""

    def role(self, name: str) -> RoleSettings:
        return getattr(self, name)


ROLE_KEYS = {f.name for f in fields(RoleSettings)}
JUDGES = ("heads", "logprobs", "ask")
TOP_KEYS = {"transcripts", "personas", "trainee", "model_path", "model", *ROLES}


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"


def _read_config(path: Path, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise ConfigError(
                f"config file {path} not found",
                "create it or point REHEARSE_CONFIG/--config at an existing file",
            )
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save the config file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})", "fix the line it names") from None
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}: unknown key '{key}'", _suggest(key, TOP_KEYS))
        if key in ("model", *ROLES):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{key}' must be a table", f"write it as [{key}]")
            for sub in value:
                if sub not in ROLE_KEYS:
                    raise ConfigError(f"{path}: unknown key '{key}.{sub}'", _suggest(sub, ROLE_KEYS))
    return data


def _env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    """The environment's settings in the config file's shape."""
    layer: dict[str, Any] = {"model": {}, "client": {}, "rater": {}}
    shared = layer["model"]
    for key, names in {
        "base_url": ("REHEARSE_BASE_URL", "OPENAI_BASE_URL"),
        "api_key": ("REHEARSE_API_KEY", "OPENAI_API_KEY"),
    }.items():
        for name in names:
            if env.get(name):
                shared[key] = env[name]
                break
    for role in ROLES:
        prefix = f"REHEARSE_{role.upper()}_"
        for key in ROLE_KEYS:
            if env.get(prefix + key.upper()):
                layer[role][key] = env[prefix + key.upper()]
    if env.get("REHEARSE_TRANSCRIPTS"):
        layer["transcripts"] = env["REHEARSE_TRANSCRIPTS"]
    if env.get("REHEARSE_PERSONAS"):
        layer["personas"] = env["REHEARSE_PERSONAS"].split(os.pathsep)
    if env.get("REHEARSE_TRAINEE"):
        layer["trainee"] = env["REHEARSE_TRAINEE"]
    if env.get("REHEARSE_MODEL_PATH"):
        layer["model_path"] = env["REHEARSE_MODEL_PATH"]
    return layer


def _coerce(role: str, key: str, value: Any, source: str) -> Any:
    default = getattr(ROLE_DEFAULTS[role], key)
    if isinstance(default, float) or isinstance(default, int):
        kind = type(default)
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{source}: {role}.{key} must be a number, got {value!r}",
                f"set it to a {'decimal' if kind is float else 'whole'} number",
            ) from None
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{source}: {role}.{key} must be text, got {value!r}", "quote the value")
    if key == "judge" and value not in JUDGES:
        raise ConfigError(f"{source}: {role}.judge must be one of {', '.join(JUDGES)}, got {value!r}",
                          "use 'heads' (trained heads on the bundled model), 'logprobs' (an endpoint that "
                          "gives logprobs) or 'ask' (the rater model answers)")
    return value


def load_settings(
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from CLI values (config-file shape), the environment and the config file."""
    cli = cli or {}
    env = os.environ if env is None else env
    config_arg = cli.get("config") or env.get("REHEARSE_CONFIG")
    config_path = Path(config_arg).expanduser() if config_arg else paths.default_config_file()
    config = _read_config(config_path, required=bool(config_arg))
    layers = [
        ("command line", cli),
        ("environment", _env_layer(env)),
        (str(config_path), config),
    ]

    def pick_role(role: str) -> RoleSettings:
        resolved: dict[str, Any] = {}
        for key in ROLE_KEYS:
            for source, layer in layers:
                own = (layer.get(role) or {}).get(key)
                shared = (layer.get("model") or {}).get(key)
                value = own if own is not None else shared
                if value is not None:
                    resolved[key] = _coerce(role, key, value, source)
                    break
        return RoleSettings(**{**ROLE_DEFAULTS[role].__dict__, **resolved})

    def pick(key: str) -> Any:
        for _, layer in layers:
            if layer.get(key) not in (None, "", [], ()):
                return layer[key]
        return None

    transcripts = pick("transcripts")
    model_path = pick("model_path")
    personas = pick("personas") or ()
    if isinstance(personas, str):
        personas = [personas]
    return Settings(
        client=pick_role("client"),
        rater=pick_role("rater"),
        transcripts=Path(transcripts).expanduser() if transcripts else paths.default_transcripts_dir(),
        personas=tuple(Path(p).expanduser() for p in personas),
        trainee=str(pick("trainee") or ""),
        model_path=Path(model_path).expanduser() if model_path else None,
        config_file=config_path if config else None,
    )
