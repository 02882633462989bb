from __future__ import annotations

import os
import subprocess

import pytest

from simulator.errors import ConfigError, ModelError
from simulator.llm.endpoints import endpoint_for, open_chat_model
from simulator.settings import load_settings
from tests.conftest import PROJECT_DIR, rehearse_command

CONFIG = """
transcripts = "/from/config"
[model]
base_url = "http://config.example/v1"
api_key = "config-key"
[client]
model = "config-client"
temperature = 0.5
[rater]
model = "config-rater"
"""


@pytest.fixture
def config_file(isolated_env):
    path = isolated_env / "rehearse.toml"
    path.write_text(CONFIG)
    return path


def test_defaults_without_config(isolated_env):
    settings = load_settings({}, env={})
    assert settings.client.base_url is None
    assert settings.rater.temperature < settings.client.temperature
    assert settings.config_file is None


def test_config_file_is_read(config_file):
    settings = load_settings({}, env={"REHEARSE_CONFIG": str(config_file)})
    assert settings.client.base_url == "http://config.example/v1"
    assert settings.client.model == "config-client"
    assert settings.client.temperature == 0.5
    assert settings.rater.model == "config-rater"
    assert str(settings.transcripts) == "/from/config"
    assert settings.config_file == config_file


def test_environment_beats_config(config_file):
    env = {
        "REHEARSE_CONFIG": str(config_file),
        "REHEARSE_BASE_URL": "http://env.example/v1",
        "REHEARSE_API_KEY": "env-key",
        "REHEARSE_CLIENT_MODEL": "env-client",
        "REHEARSE_RATER_MODEL": "env-rater",
        "REHEARSE_TRANSCRIPTS": "/from/env",
    }
    settings = load_settings({}, env=env)
    assert (settings.client.base_url, settings.client.api_key) == ("http://env.example/v1", "env-key")
    assert (settings.client.model, settings.rater.model) == ("env-client", "env-rater")
    assert str(settings.transcripts) == "/from/env"
    assert settings.client.temperature == 0.5  # not set in the environment: the config file's value stays


def test_cli_beats_environment(config_file):
    env = {"REHEARSE_CONFIG": str(config_file), "REHEARSE_BASE_URL": "http://env.example/v1",
           "REHEARSE_CLIENT_MODEL": "env-client"}
    cli = {"model": {"base_url": "http://cli.example/v1"}, "client": {"model": "cli-client"},
           "transcripts": "/from/cli"}
    settings = load_settings(cli, env=env)
    assert settings.rater.base_url == "http://cli.example/v1"
    assert settings.client.model == "cli-client"
    assert settings.rater.model == "config-rater"
    assert str(settings.transcripts) == "/from/cli"


def test_rehearse_variables_beat_openai_ones(isolated_env):
    env = {"OPENAI_BASE_URL": "http://openai-var/v1", "OPENAI_API_KEY": "sk-openai"}
    assert load_settings({}, env=env).client.base_url == "http://openai-var/v1"
    env["REHEARSE_BASE_URL"] = "http://rehearse-var/v1"
    settings = load_settings({}, env=env)
    assert settings.client.base_url == "http://rehearse-var/v1"
    assert settings.client.api_key == "sk-openai"


def test_an_openai_key_alone_selects_openai(isolated_env):
    settings = load_settings({}, env={"OPENAI_API_KEY": "sk-test"})
    endpoint = endpoint_for("client", settings.client)
    assert endpoint.backend == "openai"
    assert endpoint.base_url == "https://api.openai.com/v1"
    assert endpoint.model


def test_with_no_endpoint_or_key_the_embedded_engine_serves(isolated_env):
    settings = load_settings({}, env={})
    assert endpoint_for("client", settings.client) is None
    with pytest.raises(ModelError, match="the local model is not installed .* — run `rehearse model install`"):
        open_chat_model("client", settings.client, settings.model_path)


def test_a_model_path_that_is_not_a_file_is_named(isolated_env):
    settings = load_settings({"model_path": str(isolated_env / "missing.gguf")}, env={})
    with pytest.raises(ConfigError, match="missing.gguf is not a file"):
        open_chat_model("client", settings.client, settings.model_path)


def test_model_path_comes_from_flag_env_or_config(isolated_env):
    config = isolated_env / "c.toml"
    config.write_text('model_path = "/config/model.gguf"\n')
    env = {"REHEARSE_CONFIG": str(config)}
    assert str(load_settings({}, env=env).model_path) == "/config/model.gguf"
    env["REHEARSE_MODEL_PATH"] = "/env/model.gguf"
    assert str(load_settings({}, env=env).model_path) == "/env/model.gguf"
    assert str(load_settings({"model_path": "/cli/model.gguf"}, env=env).model_path) == "/cli/model.gguf"


def test_a_missing_config_file_named_explicitly_is_an_error(isolated_env):
    with pytest.raises(ConfigError, match="not found"):
        load_settings({}, env={"REHEARSE_CONFIG": str(isolated_env / "nope.toml")})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[clinet]\nmodel = 'x'\n", "unknown key 'clinet' — did you mean 'client'?"),
        ("[client]\nmodle = 'x'\n", "unknown key 'client.modle' — did you mean 'model'?"),
        ("[client]\ntemperature = 'hot'\n", "client.temperature must be a number"),
        ("[client\n", "invalid TOML"),
        ("model = 3\n", "'model' must be a table"),
        ("[model]\nbase_url = 'http://127.0.0.1:99999/v1'\n", "model.base_url is not a usable URL (Port out of range"),
        ("[client]\nbase_url = 'localhost:8080'\n", "client.base_url must be an http:// or https:// URL with a host"),
    ],
)
def test_bad_config_names_file_and_setting(isolated_env, text, message):
    path = isolated_env / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env={"REHEARSE_CONFIG": str(path)})
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_raters_judge_is_a_declared_setting_with_a_default_per_backend(isolated_env):
    from simulator.llm.endpoints import judge_for

    settings = load_settings({}, env={})
    assert judge_for("rater", settings.rater, bundled=True) == "heads"
    assert judge_for("rater", settings.rater, bundled=False) == "ask"
    assert judge_for("client", settings.client, bundled=True) == "ask"
    asked = load_settings({}, env={"REHEARSE_RATER_JUDGE": "ask"})
    assert judge_for("rater", asked.rater, bundled=True) == "ask"
    assert judge_for("rater", settings.rater, bundled=False, backend="openai") == "logprobs"
    assert judge_for("rater", asked.rater, bundled=False, backend="openai") == "ask"


def test_an_unknown_judge_is_named_with_its_choices(isolated_env):
    config = isolated_env / "c.toml"
    config.write_text('[rater]\njudge = "vibes"\n')
    with pytest.raises(ConfigError, match=r"rater.judge must be one of heads, logprobs, ask, got 'vibes'"):
        load_settings({}, env={"REHEARSE_CONFIG": str(config)})


def test_who_voices_the_inner_reaction_is_a_setting_chosen_on_the_bundled_model(isolated_env):
    from simulator.llm.endpoints import inner_voice_for

    settings = load_settings({}, env={})
    assert inner_voice_for("rater", settings.rater, bundled=True) == "chosen"
    assert inner_voice_for("rater", settings.rater, bundled=False) == "model"
    by_model = load_settings({}, env={"REHEARSE_RATER_INNER_VOICE": "model"})
    assert inner_voice_for("rater", by_model.rater, bundled=True) == "model"
    endpoint = load_settings({}, env={"REHEARSE_BASE_URL": "http://127.0.0.1:9/v1", "REHEARSE_RATER_JUDGE": "ask"})
    model, _ = open_chat_model("rater", endpoint.rater, endpoint.model_path)
    assert model.endpoint.inner_voice == "model"
    config = isolated_env / "c.toml"
    config.write_text('[rater]\ninner_voice = "poetry"\n')
    with pytest.raises(ConfigError, match=r"c.toml:2: rater.inner_voice must be one of chosen, model, got 'poetry'"):
        load_settings({}, env={"REHEARSE_CONFIG": str(config)})


def test_heads_without_the_bundled_model_say_how_to_get_it(isolated_env):
    settings = load_settings({}, env={"REHEARSE_BASE_URL": "http://127.0.0.1:9/v1", "REHEARSE_RATER_JUDGE": "heads"})
    with pytest.raises(ConfigError, match="the rater's heads need the bundled model") as raised:
        open_chat_model("rater", settings.rater, settings.model_path)
    assert "rehearse model install" in raised.value.fix and 'judge = "ask"' in raised.value.fix
    model, engines = open_chat_model("client", settings.client, settings.model_path)
    assert engines == [] and model.endpoint.judge == "ask" and model.embedder is None


# --- wrong types and values, through the real command (issue #15, items 5 and 6) -------------------


def run_rehearse(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*rehearse_command(), *args], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60,
                          env={**os.environ, **env})


def assert_one_line_error(result: subprocess.CompletedProcess, *parts: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("rehearse: error: ")
    for part in parts:
        assert part in result.stderr, result.stderr


@pytest.mark.parametrize(("text", "line", "message", "fix"), [
    ("personas = [1, 2]\n", 1, "personas must be a list of paths in quotes, got [1, 2]", 'personas = ["'),
    ("trainee = 'Sam'\ntranscripts = 5\n", 2, "transcripts must be a folder path in quotes, got 5", 'transcripts = "'),
    ("model_path = 5\n", 1, "model_path must be a .gguf file path in quotes, got 5", 'model_path = "'),
    ("transcripts = {a = 1}\n", 1, "transcripts must be a folder path in quotes, got {'a': 1}", 'transcripts = "'),
    ("trainee = 7\n", 1, "trainee must be a name in quotes, got 7", 'trainee = "'),
    ("[client]\nmodel = 'm'\nmax_tokens = -100\n", 3, "client.max_tokens must be a whole number from 1 to 100000, "
     "got -100", "default 300"),
    ("[rater]\nmax_tokens = 0\n", 2, "rater.max_tokens must be a whole number from 1 to 100000, got 0", "default 800"),
    ("[client]\nmax_tokens = 100000000000000000000\n", 2, "client.max_tokens must be a whole number from 1 to "
     "100000, got 100000000000000000000", "default 300"),
    ("[client]\nmax_tokens = 2.5\n", 2, "client.max_tokens must be a whole number from 1 to 100000, got 2.5",
     "default 300"),
    ("[model]\ntimeout = -1\n", 2, "model.timeout must be a number from 0.1 to 3600, got -1", "default 120"),
    ("[model]\ntemperature = nan\n", 2, "model.temperature must be a number from 0 to 2, got nan", "default"),
    ("[rater]\ntemperature = 1e309\n", 2, "rater.temperature must be a number from 0 to 2, got inf", "default 0.1"),
    ("client = {temperature = true}\n", 1, "client.temperature must be a number from 0 to 2, got True", "default"),
    ("[client]\nbase_url = 5\n", 2, "client.base_url must be text, got 5", "quotes"),
])
def test_a_wrong_setting_in_the_config_file_is_one_line_naming_file_line_and_setting(isolated_env, text, line,
                                                                                      message, fix):
    config = isolated_env / "rehearse.toml"
    config.write_text(text)
    result = run_rehearse("history", "--config", str(config), env={"REHEARSE_TRANSCRIPTS": ""})  # so the file's counts
    assert_one_line_error(result, f"{config}:{line}: {message} — ", fix)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("REHEARSE_CLIENT_TEMPERATURE", "nan", "client.temperature must be a number from 0 to 2, got 'nan'"),
    ("REHEARSE_RATER_TEMPERATURE", "1e309", "rater.temperature must be a number from 0 to 2, got '1e309'"),
    ("REHEARSE_CLIENT_MAX_TOKENS", "-100", "client.max_tokens must be a whole number from 1 to 100000, got '-100'"),
    ("REHEARSE_RATER_MAX_TOKENS", "lots", "rater.max_tokens must be a whole number from 1 to 100000, got 'lots'"),
    ("REHEARSE_CLIENT_TIMEOUT", "-1", "client.timeout must be a number from 0.1 to 3600, got '-1'"),
])
def test_a_wrong_setting_in_the_environment_names_the_variable(isolated_env, name, value, message):
    result = run_rehearse("history", env={name: value})
    assert_one_line_error(result, f"{name}: {message} — set it to ")


def test_a_wrong_setting_masked_by_a_higher_layer_is_not_used(isolated_env):
    config = isolated_env / "rehearse.toml"
    config.write_text("[client]\ntemperature = 9\n")
    settings = load_settings({}, env={"REHEARSE_CONFIG": str(config), "REHEARSE_CLIENT_TEMPERATURE": "0.3"})
    assert settings.client.temperature == 0.3


def test_settings_at_the_ends_of_their_ranges_are_taken(isolated_env):
    config = isolated_env / "rehearse.toml"
    config.write_text("[client]\ntemperature = 0\nmax_tokens = 1\ntimeout = 3600\n[rater]\ntemperature = 2\n"
                      "max_tokens = 100000.0\n")
    settings = load_settings({}, env={"REHEARSE_CONFIG": str(config), "REHEARSE_RATER_TIMEOUT": "0.1"})
    assert (settings.client.temperature, settings.client.max_tokens, settings.client.timeout) == (0, 1, 3600)
    assert (settings.rater.temperature, settings.rater.max_tokens, settings.rater.timeout) == (2, 100000, 0.1)
    assert isinstance(settings.rater.max_tokens, int)


def test_a_base_url_from_the_environment_is_checked_and_the_variable_named(isolated_env):
    with pytest.raises(ConfigError, match=r"^REHEARSE_BASE_URL: model.base_url is not a usable URL"):
        load_settings({}, env={"REHEARSE_BASE_URL": "http://127.0.0.1:99999/v1"})
    assert load_settings({}, env={"REHEARSE_BASE_URL": "https://api.example.com/v1"}).client.base_url
