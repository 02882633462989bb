from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.support.scripted_server import ScriptedServer

PROJECT_DIR = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def server():
    with ScriptedServer() as running:
        yield running


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """An environment with no user config, no keys, and a transcripts folder in tmp_path."""
    for name in list(os.environ):
        if name.startswith(("REHEARSE_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("REHEARSE_TRANSCRIPTS", str(tmp_path / "transcripts"))
    return tmp_path


@pytest.fixture
def endpoint_env(isolated_env, server, monkeypatch):
    """Point both roles at the scripted server through the environment, as a user would."""
    monkeypatch.setenv("REHEARSE_BASE_URL", server.base_url)
    return isolated_env


def rehearse_command() -> list[str]:
    return [sys.executable, "-m", "simulator"]


@pytest.fixture
def context_for(isolated_env):
    """Build an AppContext whose both roles talk to the given scripted server."""
    from simulator.context import AppContext
    from simulator.settings import load_settings

    def build(server) -> AppContext:
        return AppContext(load_settings({"model": {"base_url": server.base_url}}, env=dict(os.environ)))

    return build
