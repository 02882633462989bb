"""Train and cross-validate the rater's heads; write the shipped weights with their record card.

    .venv/bin/pip install -e '.[train]'               # scikit-learn, training only
    .venv/bin/python bench/rater/embedding_cache.py   # once: the bundled model's embeddings
    .venv/bin/python bench/rater/train_heads.py [--designs] [--write]

Prints one Markdown table per judgement, each design on the same folds: EPITOME 5-fold split by
seeker post id over epitome-train ∪ epitome-dev; the labelled therapist lines leave-one-persona-out.
`--write` refits the kept design on all rows and writes simulator/rating/weights/*.json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from bench.rater.datasets import epitome_rows, labelled_lines  # noqa: E402
from bench.rater.embedding_cache import EmbeddingCache  # noqa: E402
from simulator.domain import EPITOME_MECHANISMS, FIVE_SECRETS, TRAPS, Touch  # noqa: E402
from simulator.rating.embedding_text import feeling_text  # noqa: E402
from simulator.rating.line_features import cues, ngrams, pair_features, tfidf  # noqa: E402

SEED = 20261201
WEIGHTS_DIR = REPO / "simulator" / "rating" / "weights"
TOUCH_LEVEL = {Touch.NONE: 0, Touch.PARTLY: 1, Touch.ACCURATELY: 2}


# ----- features -----

def build_vocabulary(texts: list[str], min_df: int, grams=ngrams) -> tuple[dict[str, int], list[float]]:
    df = Counter(gram for text in texts for gram in set(grams(text)))
    grams = sorted(g for g, n in df.items() if n >= min_df)
    n = len(texts)
    return {g: i for i, g in enumerate(grams)}, [math.log((1 + n) / (1 + df[g])) + 1 for g in grams]


def ngram_matrix(texts: list[str], vocabulary: dict[str, int], idf: list[float], grams=ngrams) -> csr_matrix:
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        for c, v in tfidf(text, vocabulary, idf, grams).items():
            rows.append(r)
            cols.append(c)
            vals.append(v)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocabulary)))


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


class Design:
    """Which feature blocks a head reads, and how strongly it is regularised."""

    def __init__(self, name: str, blocks: tuple[str, ...], C: float = 1.0, min_df: int = 3,
                 embedding_scale: float = 1.0, balanced: bool = True, grams=ngrams) -> None:
        self.name, self.blocks, self.C, self.min_df, self.embedding_scale = name, blocks, C, min_df, embedding_scale
        self.balanced, self.grams = balanced, grams

    def matrices(self, texts, dense_blocks, train_index, test_index):
        """Train and test matrices; the vocabulary comes from the training rows only."""
        parts_train, parts_test, vocab = [], [], None
        for block in self.blocks:
            if block == "ngrams":
                vocab, idf = build_vocabulary([texts[i] for i in train_index], self.min_df, self.grams)
                parts_train.append(ngram_matrix([texts[i] for i in train_index], vocab, idf, self.grams))
                parts_test.append(ngram_matrix([texts[i] for i in test_index], vocab, idf, self.grams))
            else:
                scale = self.embedding_scale if block == "embedding" else 1.0
                parts_train.append(csr_matrix(dense_blocks[block][train_index] * scale))
                parts_test.append(csr_matrix(dense_blocks[block][test_index] * scale))
        return hstack(parts_train).tocsr(), hstack(parts_test).tocsr()

    def model(self, binary: bool) -> LogisticRegression:
        weights = PAIR_CLASS_WEIGHT if "reached ×2" in self.name else "balanced" if self.balanced else None
        return LogisticRegression(C=self.C, max_iter=5000, class_weight=weights, random_state=SEED)


def cross_validate(design: Design, texts, dense_blocks, y, folds, binary=False, threshold=None) -> np.ndarray:
    """Out-of-fold predictions; a binary head says yes from `threshold` (its probability) when given."""
    predictions = np.zeros_like(y)
    for train_index, test_index in folds:
        x_train, x_test = design.matrices(texts, dense_blocks, train_index, test_index)
        model = design.model(binary).fit(x_train, y[train_index])
        if threshold is None:
            predictions[test_index] = model.predict(x_test)
        else:
            predictions[test_index] = (model.predict_proba(x_test)[:, 1] >= threshold).astype(y.dtype)
    return predictions


def export_head(design: Design, model: LogisticRegression, dense_blocks: dict, n_vocab: int) -> dict:
    """sklearn's coefficients split back into our named blocks (a binary head's class 0 scores 0)."""
    coef = model.coef_
    intercept = model.intercept_
    if coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    weights, start = {}, 0
    for block in design.blocks:
        width = n_vocab if block == "ngrams" else dense_blocks[block].shape[1]
        scale = design.embedding_scale if block == "embedding" else 1.0
        weights[block] = [[round(float(w) * scale, 5) for w in row[start:start + width]] for row in coef]
        start += width
    return {"classes": [int(c) for c in model.classes_], "bias": [round(float(b), 5) for b in intercept],
            "weights": weights}


# ----- scores -----

def scores(y, predictions) -> dict[str, float]:
    return {"macro_f1": round(float(f1_score(y, predictions, average="macro")), 3),
            "kappa": round(float(cohen_kappa_score(y, predictions)), 3)}


def binary_scores(y, predictions) -> dict[str, float]:
    out = scores(y, predictions)
    out["precision"] = round(float(precision_score(y, predictions, zero_division=0)), 3)
    out["recall"] = round(float(recall_score(y, predictions, zero_division=0)), 3)
    out["agreement"] = round(float(np.mean(y == predictions)), 3)
    return out


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" if i == 0 else "---:" for i in range(len(header))) + " |")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")


# ----- EPITOME -----

EPITOME_DESIGNS = [
    Design("word cues only", ("cues",)),
    Design("n-grams + cues", ("ngrams", "cues"), C=3.0),
    Design("embedding only", ("embedding",), C=1.0, embedding_scale=10.0),
    Design("embedding + cues", ("embedding", "cues"), C=1.0, embedding_scale=10.0),
    Design("n-grams + cues + embedding", ("ngrams", "cues", "embedding"), C=1.0, embedding_scale=3.0),
]
EPITOME_KEPT = "n-grams + cues + embedding"


def epitome_levels(rows, mechanism: str) -> np.ndarray:
    """The mechanism's labels for `rows`: the three files list the same responses in the same order
    (their texts differ only in whitespace)."""
    labelled = epitome_rows(mechanism)
    assert [(r.seeker_post_id, r.response_id) for r in labelled] == [(r.seeker_post_id, r.response_id) for r in rows]
    return np.array([r.level for r in labelled])


def epitome(cache: EmbeddingCache, designs: list[Design], write: bool, kept_name: str = EPITOME_KEPT) -> dict:
    rows = epitome_rows("emotional_reaction")
    texts = [row.response for row in rows]
    dense = {"cues": np.array([cues(t) for t in texts])}
    if any("embedding" in d.blocks for d in designs):
        dense["embedding"] = unit_rows(cache.embed_all(texts))
    groups = [row.seeker_post_id for row in rows]
    folds = list(GroupKFold(n_splits=5).split(texts, groups=groups))
    results: dict[str, dict] = {}
    table_rows = []
    for design in designs:
        line = [design.name]
        for mechanism in EPITOME_MECHANISMS:
            y = epitome_levels(rows, mechanism)
            s = scores(y, cross_validate(design, texts, dense, y, folds))
            results.setdefault(design.name, {})[mechanism] = s
            line += [s["macro_f1"], s["kappa"]]
        table_rows.append(line)
    header = ["design"] + [f"{m} {k}" for m in ("ER", "IP", "EX") for k in ("F1", "κ")]
    table(f"EPITOME, 5-fold CV by seeker post, {len(rows)} rows a mechanism", header, table_rows)
    if write:
        kept = next(d for d in designs if d.name == kept_name)
        vocab, idf = build_vocabulary(texts, kept.min_df)
        everything = np.arange(len(texts))
        x, _ = kept.matrices(texts, dense, everything, everything[:1])
        heads = {}
        for mechanism in EPITOME_MECHANISMS:
            y = epitome_levels(rows, mechanism)
            heads[mechanism] = export_head(kept, kept.model(False).fit(x, y), dense, len(vocab))
        write_weights("epitome", heads, vocab, idf, {
            "design": kept.name, "C": kept.C, "min_df": kept.min_df, "rows": len(rows),
            "data": "EPITOME Reddit (Sharma et al., EMNLP 2020; BSD-style, University of Washington "
                    "Behavioral Data Science Group): epitome-train ∪ epitome-dev",
            "cross_validation": "5-fold, split by seeker post id", "scores": results[kept.name],
        })
    return results


# ----- labelled therapist lines -----

def line_blocks(cache: EmbeddingCache, lines) -> dict:
    texts = [line.line for line in lines]
    return {"cues": np.array([cues(t) for t in texts]), "embedding": unit_rows(cache.embed_all(texts))}


def pair_rows(cache: EmbeddingCache, lines):
    """One row per (line, hidden feeling): pair features, line cues, and the touch label."""
    line_vectors = unit_rows(cache.embed_all([line.line for line in lines]))
    rows = []
    for li, line in enumerate(lines):
        feeling_vectors = unit_rows(cache.embed_all([feeling_text(f) for f in line.persona_feelings]))
        cosines = [float(v) for v in feeling_vectors @ line_vectors[li]]
        for fi, feeling in enumerate(line.persona_feelings):
            rows.append((li, pair_features(line.line, feeling, cosines, fi),
                         line_vectors[li] * feeling_vectors[fi], TOUCH_LEVEL[line.feelings[feeling.feeling]]))
    return rows


LINE_DESIGNS = [
    Design("word cues only", ("cues",)),
    Design("n-grams + cues", ("ngrams", "cues"), C=3.0, min_df=2),
    Design("embedding + cues", ("embedding", "cues"), C=1.0, embedding_scale=10.0),
    Design("n-grams + cues + embedding", ("ngrams", "cues", "embedding"), C=1.0, min_df=2, embedding_scale=3.0),
]
TRAPS_KEPT = "embedding + cues"
SKILLS_KEPT = "n-grams + cues + embedding"
UNDERSTOOD_KEPT = "n-grams + cues + embedding"
PAIR_DESIGNS = [
    Design("word overlap only", ("pair",)),
    Design("pair features + line cues", ("pair", "cues"), C=1.0),
    Design("pair features + line cues + line embedding", ("pair", "cues", "embedding"), C=1.0, embedding_scale=10.0),
    Design("pair features + line cues + line embedding, unweighted", ("pair", "cues", "embedding"), C=1.0,
           embedding_scale=10.0, balanced=False),
    Design("pair features + line cues + line embedding, reached ×2", ("pair", "cues", "embedding"), C=1.0,
           embedding_scale=10.0, balanced=False),
]
PAIR_KEPT = "pair features + line cues + line embedding, reached ×2"
PAIR_CLASS_WEIGHT = {0: 1.0, 1: 2.0, 2: 2.0}


REACH_KEPT = "n-grams + cues + embedding"
CHOICE_C = 1.0


def choice_model() -> LogisticRegression:
    return LogisticRegression(C=CHOICE_C, max_iter=5000, random_state=SEED)


def choose(probabilities: np.ndarray) -> np.ndarray:
    """Which of a line's feelings it reached, given that it reached one: those at 0.5, else the likeliest."""
    chosen = probabilities >= 0.5
    chosen[int(np.argmax(probabilities))] = True
    return chosen


def two_stage(reach: Design, texts, dense, folds, line_level, pair_line, pair_dense, pair_y) -> np.ndarray:
    """Out-of-fold touches: a line head says how far the line reaches any feeling (0/1/2), a pair head
    which of the client's feelings it reached."""
    predictions = np.zeros_like(pair_y)
    pairs_of = {}
    for k, li in enumerate(pair_line):
        pairs_of.setdefault(int(li), []).append(k)
    for train_index, test_index in folds:
        x_train, x_test = reach.matrices(texts, dense, train_index, test_index)
        levels = reach.model(False).fit(x_train, line_level[train_index]).predict(x_test)
        reaching = [k for li in train_index if line_level[li] > 0 for k in pairs_of[int(li)]]
        chooser = choice_model().fit(pair_dense["pair"][reaching], (pair_y[reaching] > 0).astype(int))
        for li, level in zip(test_index, levels):
            if level:
                ks = np.array(pairs_of[int(li)])
                predictions[ks[choose(chooser.predict_proba(pair_dense["pair"][ks])[:, 1])]] = level
    return predictions


def lines_judgements(cache: EmbeddingCache, write: bool, parts: tuple[str, ...] = ("binary", "feelings")) -> dict:
    lines = labelled_lines()
    texts = [line.line for line in lines]
    dense = line_blocks(cache, lines)
    personas = [line.persona_id for line in lines]
    folds = list(GroupKFold(n_splits=len(set(personas))).split(texts, groups=personas))
    results: dict[str, dict] = {"rows": len(lines), "personas": len(set(personas))}

    binary_judgements = (("traps", TRAPS, lambda l, n: n in l.traps),
                         ("skills", FIVE_SECRETS, lambda l, n: n in l.skills))
    for kind, names, label in binary_judgements if "binary" in parts else ():
        table_rows = []
        for design in LINE_DESIGNS:
            row = [design.name]
            for name in names:
                y = np.array([int(label(l, name)) for l in lines])
                s = binary_scores(y, cross_validate(design, texts, dense, y, folds, binary=True))
                results.setdefault(kind, {}).setdefault(design.name, {})[name] = s
                row.append(f"{s['macro_f1']} / {s['kappa']}")
            table_rows.append(row)
        table(f"{kind}, leave-one-persona-out over {len(lines)} lines ({len(set(personas))} personas): "
              "macro-F1 / κ", ["design", *names], table_rows)

    pairs = pair_rows(cache, lines)
    pair_line = np.array([p[0] for p in pairs])
    pair_dense = {"pair": np.array([p[1] for p in pairs]), "cues": dense["cues"][pair_line],
                  "product": np.array([p[2] for p in pairs]) * 10, "embedding": dense["embedding"][pair_line]}
    pair_y = np.array([p[3] for p in pairs])
    pair_groups = [personas[i] for i in pair_line]
    pair_folds = list(GroupKFold(n_splits=len(set(personas))).split(pair_y, groups=pair_groups))
    table_rows = []
    oof_touch = None
    for design in PAIR_DESIGNS:
        predictions = cross_validate(design, [""] * len(pair_y), pair_dense, pair_y, pair_folds)
        s = scores(pair_y, predictions)
        reached = binary_scores((pair_y > 0).astype(int), (predictions > 0).astype(int))
        results.setdefault("feelings", {})[design.name] = {"levels": s, "reached": reached}
        table_rows.append([design.name, s["macro_f1"], s["kappa"], reached["agreement"], reached["precision"],
                           reached["recall"]])
        if design.name == PAIR_KEPT:
            oof_touch = predictions
    line_level = np.array([max(TOUCH_LEVEL[t] for t in line.feelings.values()) for line in lines])
    by_name = {d.name: d for d in LINE_DESIGNS}
    for reach_name in ("embedding + cues", REACH_KEPT):
        predictions = two_stage(by_name[reach_name], texts, dense, folds, line_level, pair_line, pair_dense, pair_y)
        name = f"two stages: does the line reach a feeling ({reach_name}), then which (pair features)"
        s = scores(pair_y, predictions)
        reached = binary_scores((pair_y > 0).astype(int), (predictions > 0).astype(int))
        results.setdefault("feelings", {})[name] = {"levels": s, "reached": reached}
        table_rows.append([name, s["macro_f1"], s["kappa"], reached["agreement"], reached["precision"],
                           reached["recall"]])
        if reach_name == REACH_KEPT:
            oof_touch = predictions
            results["feelings"]["kept"] = results["feelings"][name]
    table(f"feelings reached, leave-one-persona-out over {len(pair_y)} (line, feeling) pairs",
          ["design", "levels F1", "levels κ", "reached agreement", "reached precision", "reached recall"],
          table_rows)

    understood_y = np.array([line.understood for line in lines])
    table_rows = []
    for design in LINE_DESIGNS:
        predictions = cross_validate(design, texts, dense, understood_y, folds)
        s = scores(understood_y, predictions)
        s["within_one"] = round(float(np.mean(np.abs(predictions - understood_y) <= 1)), 3)
        s["quadratic_kappa"] = round(float(cohen_kappa_score(understood_y, predictions, weights="quadratic")), 3)
        results.setdefault("understood", {})[design.name] = s
        table_rows.append([design.name, s["macro_f1"], s["kappa"], s["quadratic_kappa"], s["within_one"]])
        if design.name == UNDERSTOOD_KEPT:
            oof_understood = predictions
    table("understood (0-4), leave-one-persona-out", ["design", "macro-F1", "κ", "quadratic κ", "within 1"],
          table_rows)

    # The kinds a supervisor would never credit, judged out of fold by the kept designs.
    reached_by_line = np.zeros(len(lines), dtype=int)
    for k, level in enumerate(oof_touch):
        reached_by_line[pair_line[k]] = max(reached_by_line[pair_line[k]], level)
    kind_rows = []
    for kind in ("feeling_word_list", "single_word", "cliche", "implicit_advice", "refused_advice", "reflection"):
        index = [i for i, line in enumerate(lines) if line.kind == kind]
        if index:
            kind_rows.append([kind, len(index), sum(reached_by_line[i] == 0 for i in index),
                              sum(oof_understood[i] <= 1 for i in index),
                              round(float(np.mean([oof_understood[i] for i in index])), 2)])
    table("by kind of line, out of fold", ["kind", "lines", "reach no feeling", "understood ≤ 1", "mean understood"],
          kind_rows)
    results["by_kind"] = {row[0]: {"lines": int(row[1]), "reach_no_feeling": int(row[2]),
                                   "understood_at_most_1": int(row[3])} for row in kind_rows}

    pipeline = pipeline_cv(cache, lines, texts, dense, folds, understood_y, line_level, pair_line, pair_dense, pair_y)
    results["pipeline"] = pipeline
    print_pipeline(pipeline)
    if write:
        heads, vocab, idf = fit_line_heads(np.arange(len(lines)), lines, texts, dense, understood_y, line_level,
                                           pair_line, pair_dense, pair_y)
        write_weights("lines", heads, vocab, idf, {
            "designs": {"traps": TRAPS_KEPT, "skills": SKILLS_KEPT, "understood": UNDERSTOOD_KEPT,
                        "feeling_reach": REACH_KEPT, "feeling_choice": "pair features"},
            "rows": len(lines), "personas": sorted(set(personas)),
            "data": "bench/data/therapist-lines/*.jsonl, labelled as a supervisor would",
            "cross_validation": "leave one persona out",
            "design_choice": "each group's design was chosen on these same folds",
            "scores": {"pipeline": pipeline,
                       "traps": results.get("traps", {}).get(TRAPS_KEPT),
                       "skills": results.get("skills", {}).get(SKILLS_KEPT),
                       "feelings": results["feelings"]["kept"],
                       "understood": results["understood"][UNDERSTOOD_KEPT],
                       "by_kind": results["by_kind"]},
        })
    return results


def fit_line_heads(index, lines, texts, dense, understood_y, line_level, pair_line, pair_dense, pair_y):
    """Every head of the lines' weights file, fitted on the lines at `index`; with their vocabulary."""
    index = np.asarray(index)
    by_name = {d.name: d for d in LINE_DESIGNS}
    vocab, idf = build_vocabulary([texts[i] for i in index], by_name[SKILLS_KEPT].min_df)
    heads = {}
    for kind, names, label, kept in (("trap", TRAPS, lambda l, n: n in l.traps, by_name[TRAPS_KEPT]),
                                     ("skill", FIVE_SECRETS, lambda l, n: n in l.skills, by_name[SKILLS_KEPT])):
        x, _ = kept.matrices(texts, dense, index, index[:1])
        for name in names:
            y = np.array([int(label(lines[i], name)) for i in index])
            heads[f"{kind}:{name}"] = export_head(kept, kept.model(True).fit(x, y), dense, len(vocab))
    for name, kept, y in (("understood", by_name[UNDERSTOOD_KEPT], understood_y),
                          ("feeling_reach", by_name[REACH_KEPT], line_level)):
        x, _ = kept.matrices(texts, dense, index, index[:1])
        heads[name] = export_head(kept, kept.model(False).fit(x, y[index]), dense, len(vocab))
    chosen = set(index.tolist())
    reaching = [k for k, li in enumerate(pair_line) if li in chosen and line_level[li] > 0]
    choice = Design("pair features", ("pair",), C=CHOICE_C)
    heads["feeling_choice"] = export_head(
        choice, choice_model().fit(pair_dense["pair"][reaching], (pair_y[reaching] > 0).astype(int)), pair_dense, 0)
    return heads, vocab, idf


def pipeline_cv(cache, lines, texts, dense, folds, understood_y, line_level, pair_line, pair_dense, pair_y) -> dict:
    """The app's own judge (`judge_line`, with the rubric's rules) on each held-out persona's lines,
    with heads fitted on the other personas: the figures a user's new persona can expect."""
    from simulator.rating.heads import Head, HeadSet, load_heads
    from simulator.rating.learned_judge import judge_line
    from simulator.rating.lines_eval import summarise

    judged = [None] * len(lines)
    for train_index, test_index in folds:
        heads, vocab, idf = fit_line_heads(train_index, lines, texts, dense, understood_y, line_level, pair_line,
                                           pair_dense, pair_y)
        fold_heads = HeadSet("lines", {k: Head.from_json(v) for k, v in heads.items()}, vocab, tuple(idf), {})
        for i in test_index:
            line = lines[i]
            vectors = cache.embed_all([line.line, *(feeling_text(f) for f in line.persona_feelings)])
            judged[i] = judge_line(line.line, [float(x) for x in vectors[0]], line.persona_feelings,
                                   [[float(x) for x in v] for v in vectors[1:]], heads=(load_heads("epitome"), fold_heads))
    result = summarise(lines, judged)

    def yes_no(y):
        a = y.agreement
        return {"agreement": round(a.accuracy, 3), "macro_f1": round(a.macro_f1, 3), "kappa": round(a.kappa, 3),
                "precision": round(y.precision, 3), "recall": round(y.recall, 3)}

    return {
        "traps": {y.name: yes_no(y) for y in result.traps}, "any_trap": yes_no(result.any_trap),
        "skills": {y.name: yes_no(y) for y in result.skills},
        "feeling_reached": yes_no(result.feeling_reached),
        "feeling_levels": {"macro_f1": round(result.feeling_levels.macro_f1, 3),
                           "kappa": round(result.feeling_levels.kappa, 3)},
        "understood": {"agreement": round(result.understood.accuracy, 3), "kappa": round(result.understood.kappa, 3),
                       "within_one": round(result.understood_within_one, 3)},
        "unempathic_kinds": {k: {"lines": n, "reach_no_feeling": none, "understood_at_most_1": low}
                             for k, (n, none, low) in result.unempathic_kinds.items()},
    }


def print_pipeline(p: dict) -> None:
    rows = [[name, s["agreement"], s["macro_f1"], s["kappa"], s["precision"], s["recall"]]
            for name, s in [*p["traps"].items(), ("any trap", p["any_trap"]), ("feeling reached", p["feeling_reached"]),
                            *p["skills"].items()]]
    table("the app's judge (heads + rubric), leave-one-persona-out", ["judgement", "agreement", "macro-F1", "κ",
                                                                      "precision", "recall"], rows)
    print(f"\nfeeling levels macro-F1 {p['feeling_levels']['macro_f1']} κ {p['feeling_levels']['kappa']}; "
          f"understood agreement {p['understood']['agreement']} κ {p['understood']['kappa']} "
          f"within one {p['understood']['within_one']}; " + "; ".join(
              f"{k}: {v['reach_no_feeling']}/{v['lines']} reach no feeling, {v['understood_at_most_1']}/{v['lines']} "
              f"understood ≤ 1" for k, v in p["unempathic_kinds"].items()))


DIRECTOR_TRAPS = ("early_advice", "reassurance", "judging")
DIRECTOR_DESIGN = Design("n-grams + cues (no embedding)", ("ngrams", "cues"), C=3.0, min_df=2)
DIRECTOR_THRESHOLDS: dict[str, float] = {"judging": 0.65}
"""A trap heard from this probability instead of 0.5. Session 11 tried early advice at 0.35, as the
ear also picks the client's opener and advice it misses gets a reflection's ("Well, yeah. Welcome
to my life.") where a yes-but belonged (fidelity run 15). Out of fold on the 512 lines, at 0.5 / 0.4
/ 0.35 / 0.3: precision 0.83 / 0.79 / 0.76 / 0.66, recall 0.79 / 0.83 / 0.89 / 0.93. It lost: at
0.35 the reworded anger "It must make your blood boil when yet another expert tells you to pamper
yourself" (p 0.40), an accurate reflection, is heard as advice and met with a yes-but.

Judging is heard from 0.65 (session 12): plain reflections in "It sounds like ..." form, the
commonest a trainee types, sat around 0.5-0.65 ("It sounds like nobody sees how hard you work" 0.63,
found playing Leo, who met a reflection with his judging opener "I'm sorry, did you just"). Out of
fold on the 599 lines, at 0.5 / 0.6 / 0.65 / 0.7: precision 0.71 / 0.88 / 1.0 / 1.0, recall 0.59 /
0.48 / 0.45 / 0.38, reflections and plain empathy heard as judging 5 / 1 / 0 / 0 of 222. Chosen on
those same folds: a good line met as an attack costs a trainee more than a judgement met mildly."""


def director_heads(write: bool) -> dict:
    """The director's ear: which traps the line the client is about to answer falls into, from its
    words alone (no embedding, so it costs the client's first token nothing). Leave-one-persona-out."""
    lines = labelled_lines()
    texts = [line.line for line in lines]
    dense = {"cues": np.array([cues(t) for t in texts])}
    personas = [line.persona_id for line in lines]
    folds = list(GroupKFold(n_splits=len(set(personas))).split(texts, groups=personas))
    results, rows = {}, []
    for name in DIRECTOR_TRAPS:
        y = np.array([int(name in line.traps) for line in lines])
        results[name] = binary_scores(y, cross_validate(DIRECTOR_DESIGN, texts, dense, y, folds, binary=True,
                                                        threshold=DIRECTOR_THRESHOLDS.get(name)))
        rows.append([name, *(results[name][k] for k in ("agreement", "macro_f1", "kappa", "precision", "recall"))])
    table("the director's ear (traps from the line's words), leave-one-persona-out",
          ["trap", "agreement", "macro-F1", "κ", "precision", "recall"], rows)
    if write:
        everything = np.arange(len(texts))
        vocab, idf = build_vocabulary(texts, DIRECTOR_DESIGN.min_df)
        x, _ = DIRECTOR_DESIGN.matrices(texts, dense, everything, everything[:1])
        heads = {f"trap:{name}": export_head(DIRECTOR_DESIGN, DIRECTOR_DESIGN.model(True).fit(
            x, np.array([int(name in line.traps) for line in lines])), dense, len(vocab)) for name in DIRECTOR_TRAPS}
        for name, threshold in DIRECTOR_THRESHOLDS.items():
            heads[f"trap:{name}"]["threshold"] = threshold
        write_weights("director", heads, vocab, idf, {
            "design": DIRECTOR_DESIGN.name, "C": DIRECTOR_DESIGN.C, "min_df": DIRECTOR_DESIGN.min_df,
            "rows": len(lines), "personas": sorted(set(personas)), "thresholds": DIRECTOR_THRESHOLDS,
            "data": "bench/data/therapist-lines/*.jsonl, labelled as a supervisor would",
            "cross_validation": "leave one persona out", "scores": results,
            "use": "tells the client's director which trap the line it answers falls into; never a rating",
        })
    return results


def write_weights(name: str, heads: dict, vocab: dict[str, int], idf: list[float], card: dict) -> None:
    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    card = {"seed": SEED, "embedding_model": "qwen2.5-coder-1.5b-instruct-q4_k_m (mean pooling, 256 tokens)",
            "trained_by": "bench/rater/train_heads.py", **card}
    data = {"format": 1, "card": card, "vocabulary": sorted(vocab, key=vocab.get),
            "idf": [round(v, 5) for v in idf], "heads": heads}
    (WEIGHTS_DIR / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"\nwrote {WEIGHTS_DIR / f'{name}.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="refit the kept designs on all rows and write them")
    parser.add_argument("--only", choices=("epitome", "lines", "feelings", "director"), help="train one group")
    parser.add_argument("--without-embeddings", action="store_true",
                        help="EPITOME: only the designs that need no embeddings (keeps n-grams + cues)")
    args = parser.parse_args()
    cache = EmbeddingCache()
    if args.only in (None, "director"):
        director_heads(args.write)
    if args.only in (None, "lines", "feelings"):
        lines_judgements(cache, args.write, ("feelings",) if args.only == "feelings" else ("binary", "feelings"))
    if args.only in (None, "epitome"):
        if args.without_embeddings:
            epitome(cache, [d for d in EPITOME_DESIGNS if "embedding" not in d.blocks], args.write, "n-grams + cues")
        else:
            epitome(cache, EPITOME_DESIGNS, args.write)


if __name__ == "__main__":
    main()
