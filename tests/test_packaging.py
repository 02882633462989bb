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
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout, offline."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(dist), str(PROJECT_DIR)],
                   check=True, capture_output=True, timeout=300)
    (built,) = dist.glob("rehearse-*.whl")
    return built


def _dependencies(site_packages: Path) -> None:
    """The test venv's packages seen from another environment (read-only, after its own), so nothing
    is downloaded. Not its .pth files: those hold the checkout's editable install."""
    Path(site_packages, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")


def _venv_site(python: Path) -> Path:
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())


@pytest.fixture(scope="module")
def venv_install(wheel, tmp_path_factory) -> tuple[Path, Path]:
    """The wheel installed with pip into a new venv: (the venv, its `rehearse` command)."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, capture_output=True, timeout=300)
    _dependencies(_venv_site(python))
    return venv, venv / "bin" / "rehearse"


@pytest.fixture(scope="module")
def pipx_install(wheel, tmp_path_factory) -> tuple[Path, Path]:
    """The wheel installed with `pipx install`, as a user would: (pipx's venv for it, the `rehearse`
    command pipx put on the user's PATH). pipx reads every dependency's metadata from its shared
    libraries, so the test venv's packages are linked in there; pip and the shared libraries' own
    upgrade stay offline."""
    root = tmp_path_factory.mktemp("pipx")
    shared = root / "shared"
    subprocess.run([sys.executable, "-m", "venv", str(shared)], check=True, timeout=120)
    shared_site = _venv_site(shared / "bin" / "python")
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if entry.name.endswith(".pth") or entry.name.lower().startswith(
                ("pip", "rehearse", "simulator", "__editable__", "setuptools", "_distutils_hack", "__pycache__")):
            continue
        if not (shared_site / entry.name).exists():
            (shared_site / entry.name).symlink_to(entry)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIPX_", "VIRTUAL_ENV"))}
    env.update(PIPX_HOME=str(root / "home"), PIPX_BIN_DIR=str(root / "bin"), PIPX_MAN_DIR=str(root / "man"),
               PIPX_SHARED_LIBS=str(shared), PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE="1")
    done = subprocess.run([sys.executable, "-m", "pipx", "install", "--pip-args=--no-deps --no-index", str(wheel)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "home" / "venvs" / "rehearse", root / "bin" / "rehearse"


@pytest.fixture(params=["pip into a venv", "pipx"])
def installed(request) -> tuple[Path, Path]:
    return request.getfixturevalue("venv_install" if request.param.startswith("pip ") else "pipx_install")


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
    installed, rehearse = installed
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


def test_installed_the_app_opens_with_its_stylesheet(venv_install, elsewhere, server):
    work, env = elsewhere
    installed, _ = venv_install
    env["REHEARSE_BASE_URL"] = server.base_url
    opened = subprocess.run([str(installed / "bin" / "python"), "-c", APP_SMOKE], capture_output=True,
                            text=True, cwd=work, env=env, timeout=120)
    assert opened.returncode == 0, opened.stderr
    screen, wrap = opened.stdout.split()
    assert screen == "HomeScreen" and wrap == "nowrap"  # a rule of simulator/tui/app.tcss
