"""Check the appraisal's EPITOME questions against human labels (Sharma et al., EMNLP 2020).

Reads files in the EPITOME release's shape (`seeker_post`, `response_post`, `level`), one per
mechanism, named after it (emotional-reactions, interpretations, explorations).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from simulator.domain import EPITOME_MECHANISMS
from simulator.errors import ConfigError
from simulator.llm.chat import ChatModel
from simulator.prompts import PromptRenderer
from simulator.rating.agreement import Agreement, agreement
from simulator.rating.appraisal import epitome_levels

FILE_STEMS = {
    "emotional_reaction": "emotional-reactions",
    "interpretation": "interpretations",
    "exploration": "explorations",
}
REQUIRED_COLUMNS = ("seeker_post", "response_post", "level")


@dataclass(frozen=True)
class LabelledPair:
    post: str
    response: str
    level: int


@dataclass(frozen=True)
class MechanismResult:
    mechanism: str
    source: Path
    agreement: Agreement


def mechanism_of(path: Path) -> str | None:
    for mechanism, stem in FILE_STEMS.items():
        if path.name.startswith(stem):
            return mechanism
    return None


def find_files(path: Path) -> dict[str, Path]:
    """Each mechanism's labelled file in a folder (or the one file given)."""
    candidates = [path] if path.is_file() else sorted(path.glob("*.csv")) if path.is_dir() else []
    found = {m: p for p in candidates if (m := mechanism_of(p))}
    if not found:
        raise ConfigError(f"--epitome {path}: no EPITOME files found",
                          f"give a folder or file named like {FILE_STEMS['emotional_reaction']}-dev.csv")
    return found


def read_pairs(path: Path, limit: int | None = None) -> list[LabelledPair]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"{path}: missing column {missing[0]}", f"the file needs {', '.join(REQUIRED_COLUMNS)}")
            pairs = []
            for line, row in enumerate(reader, start=2):
                if row["level"] not in ("0", "1", "2"):
                    raise ConfigError(f"{path}:{line}: level must be 0, 1 or 2, got {row['level']!r}", "fix the row")
                pairs.append(LabelledPair(row["seeker_post"], row["response_post"], int(row["level"])))
                if limit is not None and len(pairs) >= limit:
                    break
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({error})", "check the file") from None
    return pairs


async def evaluate(rater: ChatModel, prompts: PromptRenderer, path: Path, limit: int | None = None,
                   on_progress=None) -> list[MechanismResult]:
    results = []
    for mechanism, source in sorted(find_files(path).items(), key=lambda item: EPITOME_MECHANISMS.index(item[0])):
        pairs = read_pairs(source, limit)
        guesses = []
        for done, pair in enumerate(pairs, start=1):
            levels = await epitome_levels(rater, prompts, pair.post, pair.response, mechanisms=(mechanism,))
            guesses.append(levels[mechanism])
            if on_progress:
                on_progress(mechanism, done, len(pairs))
        results.append(MechanismResult(mechanism, source, agreement([p.level for p in pairs], guesses)))
    return results
