"""What the app remembers between runs that is not a setting: the theme chosen in the app."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.storage.atomic import replace_file


class Preferences:
    """A small JSON object in the user's data folder. A missing or damaged file reads as empty, and
    is replaced whole on the next change: losing a preference must never stop the app."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def get(self, name: str) -> str | None:
        value = self._read().get(name)
        return value if isinstance(value, str) else None

    def set(self, name: str, value: str) -> None:
        values = self._read()
        if values.get(name) == value:
            return
        values[name] = value
        replace_file(self.path, (json.dumps(values, indent=2) + "\n").encode("utf-8"))
