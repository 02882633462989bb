"""EPITOME designs beyond train_heads.py's: the seeker's post as context, the questions' own n-grams,
class offsets tuned for macro-F1 inside each training fold, and the annotators' rationales as extra rows.

    .venv/bin/python bench/rater/epitome_designs.py [--without-embeddings] [--mechanisms interpretation ...]

Same rows and folds as train_heads.py (epitome-train ∪ epitome-dev, 5-fold by seeker post id). The
class offsets are chosen on an inner 4-fold split of each outer training fold only, so the outer
fold's figures are held out from every choice made here except which design to keep.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.rater.datasets import EPITOME_FILES, SHARED_DATA, epitome_rows  # noqa: E402
from bench.rater.embedding_cache import EmbeddingCache  # noqa: E402
from bench.rater.train_heads import Design, epitome_levels, scores, table, unit_rows  # noqa: E402
from simulator.domain import EPITOME_MECHANISMS  # noqa: E402
from simulator.rating.line_features import FIRST_PERSON, cues, ngrams, words  # noqa: E402
from simulator.rating.overlap import content_words  # noqa: E402

OFFSETS = np.arange(-1.5, 3.01, 0.25)


QUESTION = re.compile(r"[^.!?\n]*\?")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def question_sentences(text: str) -> list[str]:
    return [q.strip() for q in QUESTION.findall(text) if words(q)]


def epitome_ngrams(text: str) -> list[str]:
    """The line's n-grams, plus those of its questions marked "?": an exploration is told by what its
    questions ask, which the n-grams of the whole line blur."""
    grams = ngrams(text)
    for question in question_sentences(text):
        grams += [f"? {gram}" for gram in ngrams(question)]
    return grams


CONTEXT_NAMES = (
    "reply_words_in_post", "shared_words", "question_words_in_post", "questions_share_words", "question_content_words",
    "first_person_sentences", "reply_to_post_length",
)


def context_features(reply: str, post: str) -> list[float]:
    """How a line relates to what the client (the seeker) just said, in CONTEXT_NAMES order: a strong
    exploration asks about the client's particulars, a strong interpretation answers them with one's own."""
    reply_words, post_words = content_words(reply), content_words(post)
    shared = reply_words & post_words
    questions = question_sentences(reply)
    question_words = set().union(*(content_words(q) for q in questions)) if questions else set()
    sentences = [s for s in SENTENCE.findall(reply.lower().replace("’", "'")) if words(s)]
    first_person = sum(1 for s in sentences if FIRST_PERSON.search(s))
    return [
        len(shared) / len(reply_words) if reply_words else 0.0,
        min(len(shared), 8) / 8,
        len(question_words & post_words) / len(question_words) if question_words else 0.0,
        1.0 if question_words & post_words else 0.0,
        min(len(question_words), 8) / 8,
        first_person / len(sentences) if sentences else 0.0,
        math.tanh(len(words(reply)) / max(len(words(post)), 1)),
    ]



def rationales(mechanism: str) -> list[str]:
    out = []
    for split in ("train", "dev"):
        path = SHARED_DATA / f"epitome-{split}" / f"{EPITOME_FILES[mechanism]}-{split}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            out += [r.get("rationales", "") or "" for r in csv.DictReader(handle)]
    return out


def best_offsets(log_probabilities: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class additive offsets (class 0 fixed at 0) that maximise macro-F1 on these rows."""
    best, best_f1 = np.zeros(log_probabilities.shape[1]), -1.0
    for combo in itertools.product(OFFSETS, repeat=log_probabilities.shape[1] - 1):
        offsets = np.array([0.0, *combo])
        f1 = f1_score(y, np.argmax(log_probabilities + offsets, axis=1), average="macro")
        if f1 > best_f1 + 1e-9:
            best, best_f1 = offsets, f1
    return best


def fit_predict(design: Design, texts, dense, y, train_index, test_index, extra=None):
    """Log-probabilities for test rows. `extra`: (texts, dense, y) rows appended to training only."""
    if extra is not None:
        n = len(texts)
        texts = list(texts) + extra[0]
        dense = {k: np.vstack([v, extra[1][k]]) for k, v in dense.items()}
        y = np.concatenate([y, extra[2]])
        train_index = np.concatenate([train_index, np.arange(n, n + len(extra[0]))])
    x_train, x_test = design.matrices(texts, dense, train_index, test_index)
    model = design.model(False).fit(x_train, y[train_index])
    return model.predict_log_proba(x_test)


def evaluate(design: Design, texts, dense, y, groups, folds, tune: bool, extra_rows=None) -> np.ndarray:
    predictions = np.zeros_like(y)
    for train_index, test_index in folds:
        extra = extra_rows(train_index) if extra_rows else None
        log_p = fit_predict(design, texts, dense, y, train_index, test_index, extra)
        offsets = np.zeros(log_p.shape[1])
        if tune:
            inner = GroupKFold(n_splits=4).split(train_index, groups=[groups[i] for i in train_index])
            inner_log_p = np.zeros((len(train_index), log_p.shape[1]))
            for inner_train, inner_test in inner:
                sub_extra = extra_rows(train_index[inner_train]) if extra_rows else None
                inner_log_p[inner_test] = fit_predict(design, texts, dense, y, train_index[inner_train],
                                                      train_index[inner_test], sub_extra)
            offsets = best_offsets(inner_log_p, y[train_index])
        predictions[test_index] = np.argmax(log_p + offsets, axis=1)
    return predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--without-embeddings", action="store_true")
    parser.add_argument("--mechanisms", nargs="*", default=list(EPITOME_MECHANISMS))
    parser.add_argument("--designs", nargs="*", help="names (substrings) of the designs to run")
    args = parser.parse_args()

    rows = epitome_rows("emotional_reaction")
    texts = [r.response for r in rows]
    posts = [r.post for r in rows]
    groups = [r.seeker_post_id for r in rows]
    dense = {"cues": np.array([cues(t) for t in texts]),
             "context": np.array([context_features(t, p) for t, p in zip(texts, posts)])}
    if not args.without_embeddings:
        dense["embedding"] = unit_rows(EmbeddingCache().embed_all(texts))
    folds = list(GroupKFold(n_splits=5).split(texts, groups=groups))

    emb = () if args.without_embeddings else ("embedding",)
    scale = 3.0
    designs = [
        ("n-grams + cues (+ embedding)", Design("base", ("ngrams", "cues", *emb), C=1.0 if emb else 3.0,
                                               embedding_scale=scale), False, False),
        ("+ offsets tuned in-fold", Design("base", ("ngrams", "cues", *emb), C=1.0 if emb else 3.0,
                                          embedding_scale=scale), True, False),
        ("+ post context", Design("ctx", ("ngrams", "cues", "context", *emb), C=1.0 if emb else 3.0,
                                  embedding_scale=scale), False, False),
        ("+ question n-grams", Design("q", ("ngrams", "cues", *emb), C=1.0 if emb else 3.0, embedding_scale=scale,
                                      grams=epitome_ngrams), False, False),
        ("+ post context + question n-grams", Design("cq", ("ngrams", "cues", "context", *emb),
                                                    C=1.0 if emb else 3.0, embedding_scale=scale,
                                                    grams=epitome_ngrams), False, False),
        ("+ post context + question n-grams + offsets", Design("cq", ("ngrams", "cues", "context", *emb),
                                                              C=1.0 if emb else 3.0, embedding_scale=scale,
                                                              grams=epitome_ngrams), True, False),
        ("+ rationales as extra rows", Design("r", ("ngrams", "cues", *emb), C=1.0 if emb else 3.0,
                                              embedding_scale=scale), False, True),
    ]
    if args.designs:
        designs = [d for d in designs if any(s in d[0] for s in args.designs)]
    table_rows = []
    for name, design, tune, use_rationales in designs:
        line = [name]
        for mechanism in args.mechanisms:
            y = epitome_levels(rows, mechanism)
            extra = None
            if use_rationales:
                spans = rationales(mechanism)

                def extra(train_index, spans=spans, y=y):
                    chosen = [i for i in train_index if y[i] > 0 and spans[i].strip("| ")]
                    extra_texts = [" ".join(s for s in spans[i].split("|") if s.strip()) for i in chosen]
                    extra_dense = {"cues": np.array([cues(t) for t in extra_texts]).reshape(len(chosen), -1),
                                   "context": np.array([context_features(t, posts[i]) for t, i in
                                                        zip(extra_texts, chosen)]).reshape(len(chosen), -1)}
                    if "embedding" in dense:
                        extra_dense["embedding"] = dense["embedding"][chosen]  # the full reply's vector
                    return extra_texts, extra_dense, y[chosen]
            s = scores(y, evaluate(design, texts, dense, y, groups, folds, tune, extra))
            line += [s["macro_f1"], s["kappa"]]
            print(name, mechanism, s, flush=True)
        table_rows.append(line)
    header = ["design"] + [f"{m[:2].upper()} {k}" for m in args.mechanisms for k in ("F1", "κ")]
    table(f"EPITOME, 5-fold CV by seeker post, {len(rows)} rows a mechanism", header, table_rows)


if __name__ == "__main__":
    main()
