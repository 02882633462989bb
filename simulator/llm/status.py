"""What backend each role will use and whether it is ready, told without starting anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.llm.endpoints import endpoint_for
from simulator.settings import RoleSettings


@dataclass(frozen=True)
class BackendStatus:
    role: str
    backend: str
    """'embedded', 'openai' or 'endpoint'."""
    where: str
    """The endpoint's URL, or the local model file."""
    model: str
    ready: bool
    """False when the local model still needs installing."""
    problem: str = ""


def backend_status(role: str, settings: RoleSettings, model_path: Path | None) -> BackendStatus:
    endpoint = endpoint_for(role, settings)
    if endpoint is not None:
        return BackendStatus(role, endpoint.backend, endpoint.base_url, endpoint.model or "first listed", True)
    from simulator.llm.model_files import default_model_path, is_verified

    if model_path is not None:
        ready = model_path.is_file()
        return BackendStatus(role, "embedded", str(model_path), model_path.stem, ready,
                             "" if ready else f"{model_path} is not a file — fix --model-path")
    path = default_model_path()
    ready = path.exists() and is_verified(path)
    return BackendStatus(role, "embedded", str(path), path.stem, ready,
                         "" if ready else "the local model is not installed — press i to install it (1.1 GB)")
