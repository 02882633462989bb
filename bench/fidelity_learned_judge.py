"""Could a learned head judge "in character" better than the code checks? Measured, not shipped.

The hand-labelled client replies (bench/data/client-replies/labelled*.jsonl) are embedded with the
bundled model (the training cache of bench/rater/embedding_cache.py) and a logistic head reads the
embedding, the archetype, the hidden trust and the code judge's own problems. Two ways to hold
rows out: one persona at a time (12 folds), and one labelled run at a time (train on two runs,
judge the third, which is what the judge faces on a new run).

    .venv/bin/python bench/fidelity_learned_judge.py   (needs `rehearse model install` and the train extra)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.rater.embedding_cache import EmbeddingCache  # noqa: E402
from simulator.domain import Archetype, HiddenState  # noqa: E402
from simulator.engine.fidelity import judge_reply  # noqa: E402
from simulator.engine.guards import hidden_text  # noqa: E402
from simulator.personas.loader import load_persona_file  # noqa: E402
from simulator.rating.agreement import agreement  # noqa: E402

SEED = 20261202
LABELLED = REPO / "bench" / "data" / "client-replies"
ARCHETYPES = list(Archetype)


def rows_and_code_verdicts() -> tuple[list[dict], list[tuple[str, ...]]]:
    rows, verdicts, personas = [], [], {}
    for path in sorted(LABELLED.glob("labelled*.jsonl")):
        said: dict[tuple[str, str], list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = {**json.loads(line), "file": path.name}
            persona = personas.setdefault(row["persona"], load_persona_file(REPO / "personas" / f"{row['persona']}.yaml"))
            earlier = said.setdefault((row["persona"], row.get("series", "script")), [persona.profile.opening_lines[0]])
            verdict = judge_reply(row["reply"], persona, HiddenState(trust=row["trust"], resistance=row["resistance"]),
                                  advice=row["kind"] == "advice", instructions="\n".join(hidden_text(persona)),
                                  earlier=list(earlier), line=row["line"])
            earlier.append(row["reply"])
            rows.append(row)
            verdicts.append(verdict.problems)
    return rows, verdicts


def features(rows: list[dict], verdicts: list[tuple[str, ...]], cache: EmbeddingCache) -> np.ndarray:
    texts = [f"Therapist: {r['line'] or '(silence)'}\nClient: {r['reply']}" for r in rows]
    embedded = cache.embed_all(texts)
    embedded = embedded / np.maximum(np.linalg.norm(embedded, axis=1, keepdims=True), 1e-9)
    archetype = np.array([[float(r["archetype"] == a.value) for a in ARCHETYPES] for r in rows])
    state = np.array([[r["trust"] / 10, r["resistance"] / 10, float(r["trust"] < 6)] for r in rows])
    code = np.array([[float(bool(v)), min(len(v), 3) / 3] for v in verdicts])
    words = np.array([[min(len(r["reply"].split()), 60) / 60] for r in rows])
    return np.hstack([embedded * 3, archetype, state, code * 2, words])


def held_out(x: np.ndarray, y: np.ndarray, groups: list[str], C: float) -> np.ndarray:
    predictions = np.zeros_like(y)
    for group in sorted(set(groups)):
        test = np.array([g == group for g in groups])
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", random_state=SEED)
        model.fit(x[~test], y[~test])
        predictions[test] = model.predict(x[test])
    return predictions


def line(name: str, people: np.ndarray, judged: np.ndarray) -> str:
    a = agreement(list(people), list(judged), labels=(0, 1))
    out_people, out_judged = 1 - people, 1 - judged
    caught = int((out_people * out_judged).sum())
    precision = caught / max(int(out_judged.sum()), 1)
    recall = caught / max(int(out_people.sum()), 1)
    return f"| {name} | {a.accuracy:.3f} | {a.kappa:.3f} | {precision:.3f} | {recall:.3f} |"


def main() -> None:
    rows, verdicts = rows_and_code_verdicts()
    cache = EmbeddingCache("client-replies")
    x = features(rows, verdicts, cache)
    y = np.array([int(r["in_character"]) for r in rows])
    code = np.array([int(not v) for v in verdicts])
    print(f"Fidelity judges against {len(rows)} replies labelled by hand ({', '.join(sorted({r['file'] for r in rows}))}); "
          f"{int((1 - y).sum())} out of character\n")
    print("| judge | agreement | κ | out of character: precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(line("code checks (simulator/engine/fidelity.py)", y, code))
    for C in (0.3, 1.0):
        for holding, groups in (("persona", [r["persona"] for r in rows]), ("labelled run", [r["file"] for r in rows])):
            learned = held_out(x, y, groups, C)
            print(line(f"learned head, C={C}, one {holding} held out", y, learned))
            print(line(f"code checks, then the head (C={C}, one {holding} held out)", y, code * learned))
    for name in sorted({r["file"] for r in rows}):
        mask = np.array([r["file"] == name for r in rows])
        learned = held_out(x, y, [r["file"] for r in rows], 1.0)
        print(f"\n{name}: " + line("code checks", y[mask], code[mask]).strip("| ") + " — "
              + line("code checks, then the head (run held out)", y[mask], (code * learned)[mask]).strip("| "))


if __name__ == "__main__":
    main()
