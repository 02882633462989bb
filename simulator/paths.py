"""Where things live: the built-in personas and prompts (in the checkout, or inside the installed
package), and the user's config, data and cache folders."""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
"""The checkout, when running from one; beside site-packages otherwise (not used then)."""


def running_from_checkout() -> bool:
    return (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "personas").is_dir()


def _bundled(name: str) -> Path:
    """A built-in data folder: the checkout's own top-level folder, or the copy the wheel carries
    in simulator/builtin/ (pyproject.toml maps it there)."""
    if running_from_checkout():
        return PROJECT_DIR / name
    packaged = files("simulator").joinpath("builtin", name)
    return Path(str(packaged))


PROMPTS_DIR = _bundled("prompts")
BUILTIN_PERSONAS_DIR = _bundled("personas")


def _user_dir(platform_dir: str, xdg_variable: str, xdg_fallback: str) -> Path:
    """platformdirs' folder for this platform; on Linux that is the XDG folder Rehearse always used.
    Elsewhere a folder an earlier version made at the XDG place is kept, so nothing goes missing."""
    earlier = Path(os.environ.get(xdg_variable) or Path.home() / xdg_fallback) / "rehearse"
    if sys.platform != "linux" and earlier.is_dir() and not Path(platform_dir).is_dir():
        return earlier
    return Path(platform_dir)


def user_config_dir() -> Path:
    return _user_dir(platformdirs.user_config_dir("rehearse", appauthor=False), "XDG_CONFIG_HOME", ".config")


def user_data_dir() -> Path:
    return _user_dir(platformdirs.user_data_dir("rehearse", appauthor=False), "XDG_DATA_HOME", ".local/share")


def user_cache_dir() -> Path:
    return _user_dir(platformdirs.user_cache_dir("rehearse", appauthor=False), "XDG_CACHE_HOME", ".cache")


def default_config_file() -> Path:
    return user_config_dir() / "config.toml"


def default_transcripts_dir() -> Path:
    if running_from_checkout():
        return PROJECT_DIR / "transcripts"
    return user_data_dir() / "transcripts"


def user_personas_dir() -> Path:
    return user_data_dir() / "personas"
