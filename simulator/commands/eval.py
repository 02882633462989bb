"""`rehearse eval rater`: how well the rater's EPITOME judgements agree with human labels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("eval", parents=parents, help="check the rater against human-labelled data")
    targets = parser.add_subparsers(dest="eval_target", metavar="TARGET", required=True)
    rater = targets.add_parser("rater", parents=parents,
                               help="run the appraisal's EPITOME questions on labelled data and report agreement")
    rater.add_argument("--epitome", required=True, type=Path, metavar="PATH",
                       help="folder (or one file) in the EPITOME release's CSV format")
    rater.add_argument("--limit", type=int, metavar="N", help="use only the first N rows of each mechanism")
    rater.add_argument("--ask-model", action="store_true",
                       help="ask the rater model for its quotes even where Rehearse reads the levels from the words "
                            "alone (the bundled default model)")
    rater.add_argument("--json", action="store_true", help="print the results as JSON")
    rater.set_defaults(run=run_rater)


def _progress(mechanism: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{mechanism}: {done}/{total}")
        sys.stderr.flush()
        if done == total:
            sys.stderr.write("\n")


async def run_rater(context, args: argparse.Namespace) -> int:
    from simulator.rating.appraisal import epitome_needs_model
    from simulator.rating.epitome_eval import evaluate

    rater = context.model("rater")
    ask_model = args.ask_model or epitome_needs_model(rater.endpoint)
    results = await evaluate(rater, context.prompts, args.epitome, args.limit, _progress, ask_model=ask_model)
    model = await rater.model_name()
    method = "model quotes, checked against the words" if ask_model else "the reply's words (no model call)"
    if args.json:
        json.dump({
            "model": model, "backend": rater.endpoint.backend, "method": method,
            "mechanisms": [{
                "mechanism": r.mechanism, "file": str(r.source), "rows": r.agreement.total,
                "accuracy": round(r.agreement.accuracy, 4), "macro_f1": round(r.agreement.macro_f1, 4),
                "kappa": round(r.agreement.kappa, 4),
                "confusion": [list(row) for row in r.agreement.confusion],
            } for r in results],
        }, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"Rater: {model} ({rater.endpoint.backend}); EPITOME levels from {method}")
    print(f"{'mechanism':<20} {'rows':>5} {'accuracy':>9} {'macro-F1':>9} {'kappa':>7}")
    for r in results:
        a = r.agreement
        print(f"{r.mechanism:<20} {a.total:>5} {a.accuracy:>9.3f} {a.macro_f1:>9.3f} {a.kappa:>7.3f}")
    for r in results:
        print(f"\n{r.mechanism}: confusion (rows: people said 0/1/2; columns: rater said 0/1/2)")
        for label, row in zip(r.agreement.labels, r.agreement.confusion):
            print(f"  {label}: " + " ".join(f"{count:>5}" for count in row))
    return 0
