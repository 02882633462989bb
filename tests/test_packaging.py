"""The built wheel is the whole app: installed into a fresh venv and run from a folder outside the
checkout, it finds its personas, prompts and stylesheet, and keeps its sessions in the user's
data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

APP_SMOKE = textwrap.dedent("""
    import asyncio
    from simulator.context import AppContext
    from simulator.settings import load_settings
    from simulator.tui.app import RehearseApp

    async def main():
        app = RehearseApp(AppContext(load_settings({})))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            print(type(app.screen).__name__, app.screen.query_one("#personas").styles.text_wrap)
            await pilot.press("q")

    asyncio.run(main())
""")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, installed into a new venv; its dependencies come from the
    test venv's site-packages (read-only, after its own), so nothing is downloaded."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(root / "dist"), str(PROJECT_DIR)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = (root / "dist").glob("rehearse-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, capture_output=True, timeout=300)
    venv_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip()
    # A plain path line: the test venv's own .pth files (the checkout's editable install) are not read.
    Path(venv_site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and a user with no config, no keys, no sessions."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("REHEARSE_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path / "home"))
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def test_the_wheel_carries_the_personas_prompts_stylesheet_and_weights():
    dist = PROJECT_DIR / "build" / "test-wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(dist), str(PROJECT_DIR)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("rehearse-*.whl")
    try:
        names = set(zipfile.ZipFile(wheel).namelist())
    finally:
        wheel.unlink()
    for persona in (PROJECT_DIR / "personas").glob("*.yaml"):
        assert f"simulator/builtin/personas/{persona.name}" in names
    for template in (PROJECT_DIR / "prompts").glob("*.j2"):
        assert f"simulator/builtin/prompts/{template.name}" in names
    assert "simulator/tui/app.tcss" in names and "simulator/rating/weights/epitome.json" in names
    assert not any("__pycache__" in name or name.startswith(("tests/", "bench/")) for name in names)


def test_installed_it_lists_the_personas_and_plays_a_session_from_any_folder(installed, elsewhere, server):
    work, env = elsewhere
    rehearse = installed / "bin" / "rehearse"
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import simulator; print(simulator.__file__)"],
                           capture_output=True, text=True, cwd=work, env=env, check=True).stdout
    assert where.startswith(str(installed))  # the wheel's copy, not the checkout's

    listed = subprocess.run([str(rehearse), "persona", "list", "--json"], capture_output=True, text=True,
                            cwd=work, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    personas = json.loads(listed.stdout)
    assert {p["id"] for p in personas} >= {"dana-yes-but", "marcus-hostile", "lena-silent"}
    assert all(p["source"] == "built-in" and str(installed) in p["file"] for p in personas)

    server.chat.append("Yeah, but who would watch Mum?")
    env["REHEARSE_BASE_URL"] = server.base_url
    played = subprocess.run([str(rehearse), "session", "--persona", "dana-yes-but", "--say",
                             "Maybe try a day centre?", "--json"], capture_output=True, text=True,
                            cwd=work, env=env, timeout=120)
    assert played.returncode == 0, played.stderr
    document = json.loads(played.stdout)
    assert document["turns"][2]["text"] == "Yeah, but who would watch Mum?"
    saved = Path(env["XDG_DATA_HOME"]) / "rehearse" / "transcripts" / f"{document['id']}.json"
    assert saved.is_file()  # the user's data folder: there is no checkout to keep it in
    assert not list(work.iterdir())


def test_installed_the_app_opens_with_its_stylesheet(installed, elsewhere, server):
    work, env = elsewhere
    env["REHEARSE_BASE_URL"] = server.base_url
    opened = subprocess.run([str(installed / "bin" / "python"), "-c", APP_SMOKE], capture_output=True,
                            text=True, cwd=work, env=env, timeout=120)
    assert opened.returncode == 0, opened.stderr
    screen, wrap = opened.stdout.split()
    assert screen == "HomeScreen" and wrap == "nowrap"  # a rule of simulator/tui/app.tcss
