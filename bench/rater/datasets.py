"""The labelled rows the rater's heads are trained and cross-validated on.

- EPITOME (Sharma, Miner, Atkins & Althoff, EMNLP 2020; BSD-style licence, University of Washington
  Behavioral Data Science Group): ../shared/data/epitome-train and epitome-dev, union, 2,476 rows a
  mechanism. Folds are split by seeker post id.
- Our labelled therapist lines: bench/data/therapist-lines/*.jsonl, one file per persona, labelled as
  a supervisor would (see bench/data/README.md). Folds are split by persona.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("REHEARSE_SHARED_DATA", REPO.parent / "shared" / "data"))
LINES_DIR = REPO / "bench" / "data" / "therapist-lines"
EPITOME_FILES = {"emotional_reaction": "emotional-reactions", "interpretation": "interpretations",
                 "exploration": "explorations"}


@dataclass(frozen=True)
class EpitomeRow:
    seeker_post_id: str
    response_id: str
    post: str
    response: str
    level: int


def epitome_rows(mechanism: str, splits: tuple[str, ...] = ("train", "dev")) -> list[EpitomeRow]:
    rows = []
    for split in splits:
        path = SHARED_DATA / f"epitome-{split}" / f"{EPITOME_FILES[mechanism]}-{split}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            rows += [EpitomeRow(r["sp_id"], r["rp_id"], r["seeker_post"], r["response_post"], int(r["level"]))
                     for r in csv.DictReader(handle)]
    return rows


def labelled_lines_file_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled_lines(folder: Path = LINES_DIR):
    """Every labelled line, read the way `rehearse eval rater --lines` reads it."""
    from simulator.rating.labelled_lines import read_labelled_lines
    from simulator.personas.loader import load_library

    library = load_library([REPO / "personas"])
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        lines += read_labelled_lines(path, library)
    return lines
