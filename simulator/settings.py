"""Typed settings, resolved field by field: CLI flags > environment > config TOML > defaults.

Within one layer a role's own setting (`[client]`, `REHEARSE_CLIENT_BASE_URL`, `--client-base-url`)
beats the setting shared by both roles (`[model]`, `REHEARSE_BASE_URL`, `--base-url`).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
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
    """Seconds to wait for the server before giving up: for it to start answering, or between two pieces."""
    deadline: float = 300.0
    """Seconds one whole answer may take, however steadily it trickles in."""
    max_chars: int = 4000
    """Longest answer kept, in characters: a longer client reply is cut there and marked as cut; a
    longer rater answer is refused. Lines quoted to the rater are cut at the client's limit."""
    judge: str | None = None
    """Rater only: how each line is judged — 'heads' (the shipped heads over the bundled model's
    embeddings, measured against people's labels), 'logprobs' (narrow yes/no questions, read from
    the endpoint's log-probabilities), or 'ask' (the rater model answers each question).
    Unset: 'heads' on the bundled model, 'logprobs' on OpenAI, 'ask' on any other."""
    inner_voice: str | None = None
    """Rater only: the client's unspoken thought on the coach card — 'chosen' (picked by what the
    line was judged to do; nothing to generate) or 'model' (the rater model writes it).
    Unset: 'chosen' on the bundled model, whose own thoughts were a therapist's words; 'model' on any other."""
    prefill: str | None = None
    """Client only: 'on' hands the model the first words of each reply (one of the persona's
    openers, in the client's stance) for it to carry on; 'off' lets it write every word. 'on' needs an
    endpoint that continues a final assistant message: the embedded engine, vLLM, llama.cpp's
    llama-server. Unset: 'on' on the embedded engine, 'off' on any other."""


ROLE_DEFAULTS = {
    "client": RoleSettings(temperature=0.8, max_tokens=300, max_chars=4000),
    "rater": RoleSettings(temperature=0.1, max_tokens=800, max_chars=16000),
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
INNER_VOICES = ("chosen", "model")
PREFILLS = ("on", "off")
TOP_KEYS = {"transcripts", "personas", "trainee", "model_path", "model", *ROLES}
RANGES: dict[str, tuple[float, float]] = {"temperature": (0.0, 2.0), "max_tokens": (1, 100_000),
                                          "timeout": (0.1, 3600.0), "deadline": (1.0, 7200.0),
                                          "max_chars": (100, 1_000_000)}
"""The values each numeric role setting may take, both ends included."""
FLAGS = {"model.base_url": "--base-url", "model.api_key": "--api-key", "client.model": "--client-model",
         "rater.model": "--rater-model", "transcripts": "--transcripts", "personas": "--personas",
         "trainee": "--trainee", "model_path": "--model-path"}
"""The command-line flag that sets each setting (config-file spelling) that has one."""


@dataclass
class _Layer:
    """One source of settings, in the config file's shape, and how to name where a setting in it came from."""

    values: Mapping[str, Any]
    where: Callable[[str], str]
    """'client.temperature' → '--flag', 'REHEARSE_VARIABLE' or 'file:line'."""


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"


def _line_of(text: str, dotted: str) -> int | None:
    """The line that sets `dotted` ('client.temperature', 'transcripts') in TOML text, found by reading
    its table headers and 'key =' lines (tomllib keeps no lines); None when not found."""
    table, fallback = "", None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([\w.\"' -]+?)\s*\]", line)
        assigned = None if header else re.match(r"\s*([\w.\"' -]+?)\s*=", line)
        if not header and not assigned:
            continue
        name = re.sub(r"[\"'\s]", "", (header or assigned).group(1))
        if header:
            table = name
        full = name if header or not table else f"{table}.{name}"
        if full == dotted:
            return number
        if fallback is None and dotted.startswith(full + "."):
            fallback = number  # a table, or an inline table, that holds the setting
    return fallback


def _in_file(path: Path, text: str) -> Callable[[str], str]:
    def where(dotted: str) -> str:
        line = _line_of(text, dotted)
        return f"{path}:{line}" if line else str(path)

    return where


def _read_config(path: Path, required: bool) -> tuple[dict[str, Any], str]:
    if not path.is_file():
        if required:
            raise ConfigError(
                f"config file {path} not found",
                "create it or point REHEARSE_CONFIG/--config at an existing file",
            )
        return {}, ""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save the config file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})", "fix the line it names") from None

    where = _in_file(path, text)
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{where(key)}: unknown key '{key}'", _suggest(key, TOP_KEYS))
        if key in ("model", *ROLES):
            if not isinstance(value, dict):
                raise ConfigError(f"{where(key)}: '{key}' must be a table", f"write it as [{key}]")
            for sub in value:
                if sub not in ROLE_KEYS:
                    raise ConfigError(f"{where(f'{key}.{sub}')}: unknown key '{key}.{sub}'", _suggest(sub, ROLE_KEYS))
    return data, text


def _env_layer(env: Mapping[str, str]) -> _Layer:
    """The environment's settings in the config file's shape, each with the variable that set it."""
    layer: dict[str, Any] = {"model": {}, "client": {}, "rater": {}}
    names: dict[str, str] = {}

    def take(dotted: str, name: str, value: Any) -> None:
        table, _, key = dotted.rpartition(".")
        (layer[table] if table else layer)[key] = value
        names[dotted] = name

    for key, candidates in {
        "base_url": ("REHEARSE_BASE_URL", "OPENAI_BASE_URL"),
        "api_key": ("REHEARSE_API_KEY", "OPENAI_API_KEY"),
    }.items():
        for name in candidates:
            if env.get(name):
                take(f"model.{key}", name, env[name])
                break
    for role in ROLES:
        for key in ROLE_KEYS:
            name = f"REHEARSE_{role.upper()}_{key.upper()}"
            if env.get(name):
                take(f"{role}.{key}", name, env[name])
    for key in ("transcripts", "trainee", "model_path"):
        name = f"REHEARSE_{key.upper()}"
        if env.get(name):
            take(key, name, env[name])
    if env.get("REHEARSE_PERSONAS"):
        take("personas", "REHEARSE_PERSONAS", env["REHEARSE_PERSONAS"].split(os.pathsep))
    return _Layer(layer, lambda dotted: names.get(dotted, "the environment"))


def _number(role: str, key: str, value: Any, dotted: str, where: str) -> float | int:
    """A numeric role setting, checked by type and range; text is read as a number (variables are text)."""
    default = getattr(ROLE_DEFAULTS[role], key)
    whole = isinstance(default, int)
    low, high = RANGES[key]
    span = f"{'a whole number' if whole else 'a number'} from {low:g} to {high:g}"
    fix = f"set it to {span} (default {default:g})"
    number: float | int | None = None
    if isinstance(value, str):
        try:
            number = int(value) if whole else float(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    if whole and isinstance(number, float):
        number = int(number) if number.is_integer() else None
    if number is None:
        raise ConfigError(f"{where}: {dotted} must be {span}, got {value!r}", fix)
    if not low <= number <= high:  # also false for nan; inf is simply out of range
        raise ConfigError(f"{where}: {dotted} must be {span}, got {value!r}", fix)
    return number


def _coerce(role: str, key: str, value: Any, dotted: str, where: str) -> Any:
    if key in RANGES:
        return _number(role, key, value, dotted, where)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {dotted} must be text, got {value!r}", "put the value in quotes")
    if key == "judge" and value not in JUDGES:
        raise ConfigError(f"{where}: {dotted} must be one of {', '.join(JUDGES)}, got {value!r}",
                          "use 'heads' (trained heads on the bundled model), 'logprobs' (an endpoint that "
                          "gives logprobs) or 'ask' (the rater model answers)")
    if key == "inner_voice" and value not in INNER_VOICES:
        raise ConfigError(f"{where}: {dotted} must be one of {', '.join(INNER_VOICES)}, got {value!r}",
                          "use 'chosen' (a thought picked by the judgement) or 'model' (the rater model writes it)")
    if key == "prefill" and value not in PREFILLS:
        raise ConfigError(f"{where}: {dotted} must be one of {', '.join(PREFILLS)}, got {value!r}",
                          "use 'on' (the model carries on from the persona's openers; needs an endpoint "
                          "that continues a final assistant message) or 'off'")
    if key == "base_url":
        _check_url(value, dotted, where)
    return value


def _check_url(url: str, dotted: str, where: str) -> None:
    from urllib.parse import urlsplit

    fix = "write it like http://127.0.0.1:8080/v1 or https://api.openai.com/v1"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port out of range or not a number
    except ValueError as error:
        raise ConfigError(f"{where}: {dotted} is not a usable URL ({error}), got {url!r}", fix) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {dotted} must be an http:// or https:// URL with a host, got {url!r}", fix)
    if port == 0:
        raise ConfigError(f"{where}: {dotted} has port 0, got {url!r}", fix)


def _text_setting(key: str, value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be {what} in quotes, got {value!r}",
                          f'write it as {key} = "..."')
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
    config, config_text = _read_config(config_path, required=bool(config_arg))
    layers = [
        _Layer(cli, lambda dotted: FLAGS.get(dotted, "the command line")),
        _env_layer(env),
        _Layer(config, _in_file(config_path, config_text)),
    ]

    def pick_role(role: str) -> RoleSettings:
        resolved: dict[str, Any] = {}
        for key in ROLE_KEYS:
            for layer in layers:
                own = (layer.values.get(role) or {}).get(key)
                shared = (layer.values.get("model") or {}).get(key)
                value = own if own is not None else shared
                if value is not None:
                    dotted = f"{role if own is not None else 'model'}.{key}"
                    resolved[key] = _coerce(role, key, value, dotted, layer.where(dotted))
                    break
        return RoleSettings(**{**ROLE_DEFAULTS[role].__dict__, **resolved})

    def pick(key: str) -> tuple[Any, str]:
        for layer in layers:
            if layer.values.get(key) not in (None, "", [], ()):
                return layer.values[key], layer.where(key)
        return None, ""

    transcripts, where = pick("transcripts")
    if transcripts is not None:
        transcripts = Path(_text_setting("transcripts", transcripts, where, "a folder path")).expanduser()
    model_path, where = pick("model_path")
    if model_path is not None:
        model_path = Path(_text_setting("model_path", model_path, where, "a .gguf file path")).expanduser()
    personas, where = pick("personas")
    if isinstance(personas, str):
        personas = [personas]
    if personas is not None and not (isinstance(personas, (list, tuple)) and all(isinstance(p, str) for p in personas)):
        raise ConfigError(f"{where}: personas must be a list of paths in quotes, got {personas!r}",
                          'write it as personas = ["~/my-personas", "..."]')
    trainee, where = pick("trainee")
    if trainee is not None:
        trainee = _text_setting("trainee", trainee, where, "a name")
    return Settings(
        client=pick_role("client"),
        rater=pick_role("rater"),
        transcripts=transcripts or paths.default_transcripts_dir(),
        personas=tuple(Path(p).expanduser() for p in personas or ()),
        trainee=trainee or "",
        model_path=model_path,
        config_file=config_path if config else None,
    )
