"""Log-probability scoring on the bundled model: narrow yes/no questions, read as P(yes), not sampled.

    .venv/bin/python bench/rater/logprob_scoring.py [--epitome-rows 300] [--lines-every 2]

For each row the shared context (the post or client line, and the reply) is read once, then each
question is appended and the logits of the answer's first token compared: score = logit("Yes") −
logit("No"). Runs llama.cpp in-process on the bundled GGUF (the embedded server keeps logits_all
off, and llama-cpp-python 0.3.36 refuses logprobs without it). The scores are cached in
~/.cache/rehearse/training/logprob-scores.json and cross-validated like the heads:
EPITOME 5-fold by seeker post, the labelled lines leave-one-persona-out; thresholds (or a
one-feature logistic regression) are fitted on the training folds only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.rater.datasets import epitome_rows, labelled_lines  # noqa: E402
from bench.rater.embedding_cache import CACHE_DIR  # noqa: E402

SCORES_FILE = CACHE_DIR / "logprob-scores.json"
EPITOME_QUESTIONS = {
    "emotional_reaction": "Does the reply express the responder's own feelings towards the poster, such as "
                          "warmth, sympathy, compassion or concern?",
    "interpretation": "Does the reply show that the responder understood the poster's feelings or "
                      "experience, by saying them back or by telling of a similar experience?",
    "exploration": "Does the reply ask the poster a question about their feelings or experience?",
}
TRAP_QUESTIONS = {
    "early_advice": "Does the therapist's reply give the client advice: a suggestion, recommendation, plan, "
                    "technique or something they should do, however it is phrased?",
    "reassurance": "Does the therapist's reply reassure the client, cheer them up or play their problem down?",
}
FEELING_QUESTION = ("Does the therapist's reply show that they understand this feeling of the client's: "
                    "{feeling} ({reason})?")


class Scorer:
    def __init__(self) -> None:
        import llama_cpp

        from simulator.llm.model_files import default_model_path

        self.llm = llama_cpp.Llama(model_path=str(default_model_path()), n_ctx=1024, n_batch=512,
                                   n_threads=os.cpu_count(), logits_all=False, verbose=False)
        self.yes = [self.token(t) for t in ("Yes", "yes", " Yes")]
        self.no = [self.token(t) for t in ("No", "no", " No")]

    def token(self, text: str) -> int:
        return self.llm.tokenize(text.encode(), add_bos=False, special=False)[0]

    def tokens(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=False, special=True)

    def scores(self, system: str, context: str, questions: list[str]) -> list[float]:
        import numpy as np

        prefix = self.tokens(f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{context}\n\n")[:700]
        self.llm.reset()
        self.llm.eval(prefix)
        out = []
        for question in questions:
            self.llm.n_tokens = len(prefix)
            self.llm.eval(self.tokens(f"{question} Answer Yes or No.<|im_end|>\n<|im_start|>assistant\n"))
            logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
            yes = np.logaddexp.reduce(logits[self.yes])
            no = np.logaddexp.reduce(logits[self.no])
            out.append(float(yes - no))
        return out


def collect(epitome_count: int, lines_every: int) -> dict:
    cached = json.loads(SCORES_FILE.read_text()) if SCORES_FILE.exists() else {"epitome": {}, "lines": {}}
    scorer = None
    rows = epitome_rows("emotional_reaction")
    random.Random(7).shuffle(rows)
    started = time.monotonic()
    for n, row in enumerate(rows[:epitome_count], 1):
        key = f"{row.seeker_post_id}|{row.response[:80]}"
        if key in cached["epitome"]:
            continue
        scorer = scorer or Scorer()
        cached["epitome"][key] = scorer.scores(
            "You judge how empathic a reply to someone seeking support is.",
            f"Post: {json.dumps(row.post[:1200])}\nReply: {json.dumps(row.response[:1500])}",
            list(EPITOME_QUESTIONS.values()))
        if n % 25 == 0:
            print(f"epitome {n}/{epitome_count} ({time.monotonic() - started:.0f} s)", flush=True)
            SCORES_FILE.write_text(json.dumps(cached))
    lines = labelled_lines()[::lines_every]
    for n, line in enumerate(lines, 1):
        key = f"{line.persona_id}|{line.line}"
        if key in cached["lines"]:
            continue
        scorer = scorer or Scorer()
        questions = list(TRAP_QUESTIONS.values()) + [FEELING_QUESTION.format(feeling=f.feeling, reason=f.reason.strip())
                                                     for f in line.persona_feelings]
        cached["lines"][key] = scorer.scores(
            "You are a clinical supervisor judging one line a trainee therapist said to a client.",
            f"Client: {json.dumps(line.client)}\nTherapist: {json.dumps(line.line)}", questions)
        if n % 25 == 0:
            print(f"lines {n}/{len(lines)} ({time.monotonic() - started:.0f} s)", flush=True)
            SCORES_FILE.write_text(json.dumps(cached))
    SCORES_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCORES_FILE.write_text(json.dumps(cached))
    return cached


def evaluate(cached: dict) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import cohen_kappa_score, f1_score
    from sklearn.model_selection import GroupKFold

    from simulator.domain import EPITOME_MECHANISMS, Touch

    def cv(x, y, groups, n_splits):
        predictions = np.zeros_like(y)
        for train, test in GroupKFold(n_splits=n_splits).split(x, groups=groups):
            model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(x[train], y[train])
            predictions[test] = model.predict(x[test])
        return predictions

    print("\n### Log-probability scoring, bundled model\n")
    print("| judgement | rows | macro-F1 | κ |")
    print("| --- | ---: | ---: | ---: |")
    base = epitome_rows("emotional_reaction")
    position = {f"{r.seeker_post_id}|{r.response[:80]}": i for i, r in enumerate(base)}
    keys = [k for k in cached["epitome"] if k in position]
    rows = {k: base[position[k]] for k in keys}
    for index, mechanism in enumerate(EPITOME_MECHANISMS):
        labelled = epitome_rows(mechanism)  # same rows, same order, in each mechanism's file
        y = np.array([labelled[position[k]].level for k in keys])
        x = np.array([[cached["epitome"][k][index]] for k in keys])
        p = cv(x, y, [rows[k].seeker_post_id for k in keys], 5)
        print(f"| EPITOME {mechanism} | {len(y)} | {f1_score(y, p, average='macro'):.3f} | "
              f"{cohen_kappa_score(y, p):.3f} |")
    lines = {f"{l.persona_id}|{l.line}": l for l in labelled_lines()}
    keys = [k for k in cached["lines"] if k in lines]
    groups = [lines[k].persona_id for k in keys]
    for index, trap in enumerate(TRAP_QUESTIONS):
        y = np.array([int(trap in lines[k].traps) for k in keys])
        x = np.array([[cached["lines"][k][index]] for k in keys])
        p = cv(x, y, groups, len(set(groups)))
        print(f"| trap {trap} | {len(y)} | {f1_score(y, p, average='macro'):.3f} | {cohen_kappa_score(y, p):.3f} |")
    xs, ys, gs = [], [], []
    for k in keys:
        line = lines[k]
        for fi, feeling in enumerate(line.persona_feelings):
            xs.append([cached["lines"][k][len(TRAP_QUESTIONS) + fi]])
            ys.append(int(line.feelings[feeling.feeling] is not Touch.NONE))
            gs.append(line.persona_id)
    x, y = np.array(xs), np.array(ys)
    p = cv(x, y, gs, len(set(gs)))
    print(f"| feeling reached (any) | {len(y)} pairs | {f1_score(y, p, average='macro'):.3f} | "
          f"{cohen_kappa_score(y, p):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epitome-rows", type=int, default=300)
    parser.add_argument("--lines-every", type=int, default=2, help="score every Nth labelled line")
    args = parser.parse_args()
    evaluate(collect(args.epitome_rows, args.lines_every))


if __name__ == "__main__":
    main()
