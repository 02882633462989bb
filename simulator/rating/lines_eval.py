"""Check the appraisal against therapist lines labelled as a supervisor would (`eval rater --lines`).

Each line is judged the way a session judges it — by the heads, or by asking the rater model —
and compared, judgement by judgement, with its labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulator.domain import FIVE_SECRETS, TRAPS, Appraisal, Speaker, Touch, Turn
from simulator.errors import ConfigError
from simulator.llm.chat import ChatModel
from simulator.prompts import PromptRenderer
from simulator.rating.agreement import Agreement, agreement, precision_recall
from simulator.rating.appraisal import Appraiser, judged_by_heads
from simulator.rating.labelled_lines import LabelledLine, read_labelled_lines

TOUCH_LEVEL = {Touch.NONE: 0, Touch.PARTLY: 1, Touch.ACCURATELY: 2}


@dataclass(frozen=True)
class YesNo:
    """One yes/no judgement (a trap, a skill, a feeling reached) against people's labels."""

    name: str
    agreement: Agreement
    precision: float
    recall: float


@dataclass(frozen=True)
class LinesResult:
    lines: int
    personas: int
    traps: tuple[YesNo, ...]
    any_trap: YesNo
    skills: tuple[YesNo, ...]
    feeling_reached: YesNo
    """Per (line, hidden feeling) pair: reached at all (partly or accurately) or not."""
    feeling_levels: Agreement
    """Per pair: none / partly / accurately."""
    understood: Agreement
    understood_within_one: float
    unempathic_kinds: dict[str, tuple[int, int, int]]
    """Kind ('feeling_word_list', 'single_word') to (lines, reaching no feeling, understood ≤ 1)."""


def line_files(path: Path) -> list[Path]:
    files = [path] if path.is_file() else sorted(path.glob("*.jsonl")) if path.is_dir() else []
    if not files:
        raise ConfigError(f"--lines {path}: no labelled lines found", "give a .jsonl file or a folder of them")
    return files


def yes_no(name: str, human: list[bool], rater: list[bool]) -> YesNo:
    precision, recall = precision_recall(human, rater)
    return YesNo(name, agreement([int(h) for h in human], [int(r) for r in rater], labels=(0, 1)), precision, recall)


async def judge_labelled(rater: ChatModel, prompts: PromptRenderer, library, line: LabelledLine) -> Appraisal:
    appraiser = Appraiser(rater, prompts, library.get(line.persona_id), concurrent=True)
    client, trainee = Turn(Speaker.CLIENT, line.client), Turn(Speaker.TRAINEE, line.line)
    if judged_by_heads(rater) or rater.endpoint.judge == "logprobs":
        return await appraiser.judge(trainee, turns=[client, trainee])
    return await appraiser.appraise([client, trainee])


async def evaluate_lines(rater: ChatModel, prompts: PromptRenderer, library, path: Path, limit: int | None = None,
                         on_progress: Callable[[str, int, int], None] | None = None) -> LinesResult:
    lines = [line for file in line_files(path) for line in read_labelled_lines(file, library)[:limit or None]]
    judged = []
    for done, line in enumerate(lines, 1):
        judged.append(await judge_labelled(rater, prompts, library, line))
        if on_progress:
            on_progress("lines", done, len(lines))
    return summarise(lines, judged)


def summarise(lines: list[LabelledLine], judged: list[Appraisal]) -> LinesResult:
    """Each judgement's agreement with the labels."""
    pairs = [(line.feelings[f], judgement.feelings[f]) for line, judgement in zip(lines, judged) for f in line.feelings]
    kinds = {}
    for kind in ("feeling_word_list", "single_word"):
        index = [i for i, line in enumerate(lines) if line.kind == kind]
        kinds[kind] = (len(index), sum(all(t is Touch.NONE for t in judged[i].feelings.values()) for i in index),
                       sum(judged[i].understood <= 1 for i in index))
    return LinesResult(
        lines=len(lines), personas=len({line.persona_id for line in lines}),
        traps=tuple(yes_no(t, [t in l.traps for l in lines], [t in j.traps for j in judged]) for t in TRAPS),
        any_trap=yes_no("any trap", [bool(l.traps) for l in lines], [bool(j.traps) for j in judged]),
        skills=tuple(yes_no(s, [s in l.skills for l in lines], [s in j.skills for j in judged]) for s in FIVE_SECRETS),
        feeling_reached=yes_no("feeling reached", [h is not Touch.NONE for h, _ in pairs],
                               [r is not Touch.NONE for _, r in pairs]),
        feeling_levels=agreement([TOUCH_LEVEL[h] for h, _ in pairs], [TOUCH_LEVEL[r] for _, r in pairs]),
        understood=agreement([l.understood for l in lines], [j.understood for j in judged], labels=(0, 1, 2, 3, 4)),
        understood_within_one=sum(abs(l.understood - j.understood) <= 1 for l, j in zip(lines, judged)) / len(lines)
        if lines else 0.0,
        unempathic_kinds=kinds,
    )
