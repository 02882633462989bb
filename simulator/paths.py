"""Where things live: the checkout's own folders and the user's config, data and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
PROMPTS_DIR = PROJECT_DIR / "prompts"
BUILTIN_PERSONAS_DIR = PROJECT_DIR / "personas"


def running_from_checkout() -> bool:
    return (PROJECT_DIR / "pyproject.toml").is_file() and BUILTIN_PERSONAS_DIR.is_dir()


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / fallback


def user_config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "rehearse"


def user_data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "rehearse"


def user_cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "rehearse"


def default_config_file() -> Path:
    return user_config_dir() / "config.toml"


def default_transcripts_dir() -> Path:
    if running_from_checkout():
        return PROJECT_DIR / "transcripts"
    return user_data_dir() / "transcripts"


def user_personas_dir() -> Path:
    return user_data_dir() / "personas"
