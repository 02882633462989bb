"""Train and cross-validate the fidelity judge's head; with --write, ship it with its record card.

The hand-labelled client replies (bench/data/client-replies/labelled*.jsonl) are embedded with the
bundled model (the training cache of bench/rater/embedding_cache.py) and a logistic head reads the
embedding of the exchange and the moment (archetype, hidden state, the code judge's own problems,
length) — the features `simulator/engine/fidelity.py` builds at run time. Two ways to hold rows
out: one persona at a time (12 folds), and one labelled run at a time (train on the other runs,
judge the held-out one, which is what the judge faces on a new run).

    .venv/bin/python bench/fidelity_learned_judge.py [--write]   (needs `rehearse model install` and the train extra)
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
from simulator.engine.fidelity import WEIGHTS, exchange_text, judge_reply, moment_features  # noqa: E402
from simulator.engine.guards import hidden_text  # noqa: E402
from simulator.personas.loader import load_persona_file  # noqa: E402
from simulator.rating.agreement import agreement  # noqa: E402

SEED = 20261202
LABELLED = REPO / "bench" / "data" / "client-replies"
EMBEDDING_SCALE = 3.0
MOMENT_SCALE = (1.0,) * (len(Archetype) + 3) + (2.0, 2.0, 1.0)
"""How strongly each block counts before the (shared) regularisation: the code checks' two flags double."""
KEPT_C = 1.0


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


EXAMPLE_TRUST = {"reflection_high_trust": 7.0}
"""The trust each persona example is written for; the rest are for a guarded client (trust 2)."""
EXAMPLE_KIND = {"reflection_low_trust": "reflection", "reflection_high_trust": "reflection"}


def example_rows() -> tuple[list[dict], list[tuple[str, ...]]]:
    """Every built-in persona's example exchanges, in character by construction (an instructor wrote
    them as the client): training rows only, never scored."""
    rows, verdicts = [], []
    for path in sorted((REPO / "personas").glob("*.yaml")):
        persona = load_persona_file(path)
        for example in persona.client.example_exchanges:
            row = {"persona": persona.id, "archetype": persona.profile.archetype.value, "file": "persona examples",
                   "kind": EXAMPLE_KIND.get(example.moment, example.moment), "line": example.therapist,
                   "reply": example.client, "trust": EXAMPLE_TRUST.get(example.moment, 2.0), "resistance": 5.0,
                   "in_character": True}
            verdict = judge_reply(example.client, persona, HiddenState(trust=row["trust"], resistance=5.0),
                                  advice=row["kind"] == "advice", line=example.therapist)
            rows.append(row)
            verdicts.append(verdict.problems)
    return rows, verdicts


def features(rows: list[dict], verdicts: list[tuple[str, ...]], cache: EmbeddingCache) -> np.ndarray:
    embedded = cache.embed_all([exchange_text(r["line"], r["reply"]) for r in rows])
    embedded = embedded / np.maximum(np.linalg.norm(embedded, axis=1, keepdims=True), 1e-9)
    moment = np.array([moment_features(r["reply"], Archetype(r["archetype"]),
                                       HiddenState(trust=r["trust"], resistance=r["resistance"]), v)
                       for r, v in zip(rows, verdicts)])
    return np.hstack([embedded * EMBEDDING_SCALE, moment * np.array(MOMENT_SCALE)])


def length_by_archetype(x: np.ndarray) -> np.ndarray:
    """The archetype one-hots of the moment block times its length feature (its last column)."""
    width = x.shape[1] - len(MOMENT_SCALE)
    return x[:, width:width + len(Archetype)] * x[:, -1:]


def fit(x: np.ndarray, y: np.ndarray, C: float) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced", random_state=SEED).fit(x, y)


def exchange_key(row: dict) -> tuple[str, str, str]:
    return row["persona"], row["line"], row["reply"]


def held_out(x: np.ndarray, y: np.ndarray, groups: list[str], C: float,
             extra: tuple[np.ndarray, np.ndarray] | None = None, keys: list[tuple] | None = None) -> np.ndarray:
    """Predictions for each group by a head fitted on the others (and on `extra`, always trained on).
    With `keys`, a training row that is word for word a held-out row's exchange is left out too: seeded
    runs repeat many replies exactly (runs 15 and 16), and would otherwise be judged on themselves."""
    predictions = np.zeros_like(y)
    for group in sorted(set(groups)):
        test = np.array([g == group for g in groups])
        train = ~test
        if keys is not None:
            tested = {k for k, t in zip(keys, test) if t}
            train &= np.array([k not in tested for k in keys])
        x_train, y_train = x[train], y[train]
        if extra is not None:
            x_train, y_train = np.vstack([x_train, extra[0]]), np.concatenate([y_train, extra[1]])
        predictions[test] = fit(x_train, y_train, C).predict(x[test])
    return predictions


def line(name: str, people: np.ndarray, judged: np.ndarray) -> str:
    a = agreement(list(people), list(judged), labels=(0, 1))
    out_people, out_judged = 1 - people, 1 - judged
    caught = int((out_people * out_judged).sum())
    precision = caught / max(int(out_judged.sum()), 1)
    recall = caught / max(int(out_people.sum()), 1)
    return f"| {name} | {a.accuracy:.3f} | {a.kappa:.3f} | {precision:.3f} | {recall:.3f} |"


def scores(people: np.ndarray, judged: np.ndarray) -> dict[str, float]:
    a = agreement(list(people), list(judged), labels=(0, 1))
    out_people, out_judged = 1 - people, 1 - judged
    caught = int((out_people * out_judged).sum())
    return {"agreement": round(a.accuracy, 3), "kappa": round(a.kappa, 3),
            "out_precision": round(caught / max(int(out_judged.sum()), 1), 3),
            "out_recall": round(caught / max(int(out_people.sum()), 1), 3)}


def first_of_each_exchange(rows: list[dict]) -> np.ndarray:
    seen: set[tuple] = set()
    keep = []
    for row in rows:
        keep.append(exchange_key(row) not in seen)
        seen.add(exchange_key(row))
    return np.array(keep)


def write(x: np.ndarray, y: np.ndarray, rows: list[dict], code: np.ndarray) -> None:
    """Fit on every distinct exchange and write the head the app loads, its record card beside it."""
    keys = [exchange_key(r) for r in rows]
    distinct = first_of_each_exchange(rows)
    model = fit(x[distinct], y[distinct], KEPT_C)
    width = x.shape[1] - len(MOMENT_SCALE)
    coef, bias = model.coef_[0], float(model.intercept_[0])
    weights = {"embedding": [[0.0] * width, [round(float(w) * EMBEDDING_SCALE, 5) for w in coef[:width]]],
               "moment": [[0.0] * len(MOMENT_SCALE),
                          [round(float(w) * s, 5) for w, s in zip(coef[width:], MOMENT_SCALE)]]}
    runs = [r["file"] for r in rows]
    personas = [r["persona"] for r in rows]
    card = {
        "seed": SEED, "trained_by": "bench/fidelity_learned_judge.py --write",
        "embedding_model": "qwen2.5-coder-1.5b-instruct-q4_k_m (mean pooling, 256 tokens)",
        "data": "bench/data/client-replies/labelled*.jsonl: client replies from bench/client_fidelity.py runs, "
                "labelled in or out of character by hand, blind to the judges",
        "rows": int(distinct.sum()), "out_of_character": int((1 - y[distinct]).sum()), "runs": sorted(set(runs)),
        "duplicates_dropped": int((~distinct).sum()),
        "design": "logistic regression, classes balanced, C = 1; the exchange's embedding ×3, the moment block "
                  "(archetype, trust, resistance, guarded, code checks' problems ×2, length)",
        "use": "a reply is in character when the code checks find nothing and this head says yes",
        "scores": {"run_held_out": scores(y, code * held_out(x, y, runs, KEPT_C, keys=keys)),
                   "persona_held_out": scores(y, code * held_out(x, y, personas, KEPT_C)),
                   "code_checks_alone": scores(y, code)},
    }
    head = {"classes": [0, 1], "bias": [0.0, round(bias, 5)], "weights": weights}
    path = REPO / "simulator" / "rating" / "weights" / f"{WEIGHTS}.json"
    path.write_text(json.dumps({"format": 1, "card": card, "vocabulary": [], "idf": [], "heads": {"in_character": head}},
                               separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"\nwrote {path} ({path.stat().st_size // 1024} KiB); record card scores: {card['scores']}")


def main(write_weights: bool) -> None:
    rows, verdicts = rows_and_code_verdicts()
    cache = EmbeddingCache("client-replies")
    x = features(rows, verdicts, cache)
    y = np.array([int(r["in_character"]) for r in rows])
    code = np.array([int(not v) for v in verdicts])
    examples, example_verdicts = example_rows()
    extra = (features(examples, example_verdicts, cache), np.ones(len(examples), dtype=y.dtype))
    print(f"Fidelity judges against {len(rows)} replies labelled by hand ({', '.join(sorted({r['file'] for r in rows}))}); "
          f"{int((1 - y).sum())} out of character. 'With the examples': the {len(examples)} example exchanges of the "
          f"built-in personas join every training fold as in character (never scored)\n")
    print("| judge | agreement | κ | out of character: precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(line("code checks (simulator/engine/fidelity.py)", y, code))
    runs, personas = [r["file"] for r in rows], [r["persona"] for r in rows]
    keys = [exchange_key(r) for r in rows]
    print(f"({int((~first_of_each_exchange(rows)).sum())} rows repeat an earlier file's exchange word for word; "
          "a held-out run's exchanges are left out of its training rows)\n")
    for C in (0.3, 1.0):
        for holding, groups in (("persona", personas), ("labelled run", runs)):
            for with_examples in (False, True):
                learned = held_out(x, y, groups, C, extra if with_examples else None, keys=keys)
                name = f"the head{' with the examples' if with_examples else ''}, C={C}, one {holding} held out"
                print(line(name, y, learned))
                print(line(f"code checks, then {name}", y, code * learned))
    # Measured in session 13: each archetype's own slope for length (a talker's long reply is its
    # character; a guarded client's is not), which the linear head cannot draw from the two apart.
    crossed = np.hstack([x, length_by_archetype(x)])
    for holding, groups in (("persona", personas), ("labelled run", runs)):
        learned = held_out(crossed, y, groups, KEPT_C, keys=keys)
        print(line(f"code checks, then the head with length by archetype, C={KEPT_C}, one {holding} held out",
                   y, code * learned))
    for with_examples in (False, True):
        learned = held_out(x, y, runs, KEPT_C, extra if with_examples else None, keys=keys)
        for name in sorted(set(runs)):
            mask = np.array([r == name for r in runs])
            print(f"\n{name}{' (with the examples)' if with_examples else ''}: "
                  + line("code checks", y[mask], code[mask]).strip("| ") + " — "
                  + line("code checks, then the head (run held out)", y[mask], (code * learned)[mask]).strip("| "))
    if write_weights:
        write(x, y, rows, code)


if __name__ == "__main__":
    main("--write" in sys.argv[1:])
