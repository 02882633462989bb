"""`rehearse eval rater`: how well the rater's judgements agree with people's labels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.terminal_text import terminal_safe


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("eval", parents=parents, help="check the rater against human-labelled data")
    targets = parser.add_subparsers(dest="eval_target", metavar="TARGET", required=True)
    rater = targets.add_parser("rater", parents=parents,
                               help="judge labelled data the way a session does and report agreement")
    rater.add_argument("--epitome", type=Path, metavar="PATH",
                       help="folder (or one file) in the EPITOME release's CSV format")
    rater.add_argument("--lines", type=Path, metavar="FILE",
                       help="therapist lines labelled as a supervisor would (.jsonl, or a folder of them)")
    rater.add_argument("--limit", type=int, metavar="N", help="use only the first N rows of each file")
    rater.add_argument("--json", action="store_true", help="print the results as JSON")
    rater.set_defaults(run=run_rater)


def _progress(what: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{what}: {done}/{total}")
        sys.stderr.flush()
        if done == total:
            sys.stderr.write("\n")


def _agreement_json(a) -> dict:
    return {"rows": a.total, "accuracy": round(a.accuracy, 4), "macro_f1": round(a.macro_f1, 4),
            "kappa": round(a.kappa, 4), "confusion": [list(row) for row in a.confusion]}


def _yes_no_json(y) -> dict:
    return {**_agreement_json(y.agreement), "precision": round(y.precision, 4), "recall": round(y.recall, 4)}


IN_SAMPLE_NOTE = ("The heads were trained on epitome-train and epitome-dev and on bench/data/therapist-lines: on "
                  "those rows the figures below are in-sample. Their cross-validated figures, measured when "
                  "they were trained (bench/rater/train_heads.py):")


def print_cross_validated(cards: dict) -> None:
    epitome = cards["epitome"]["scores"]
    print(f"  EPITOME ({cards['epitome']['rows']} rows a mechanism, {cards['epitome']['cross_validation']}): "
          + "; ".join(f"{m} macro-F1 {s['macro_f1']:.3f} κ {s['kappa']:.3f}" for m, s in epitome.items()))
    p = cards["lines"]["scores"]["pipeline"]
    print(f"  therapist lines ({cards['lines']['rows']} lines, {cards['lines']['cross_validation']}), the judge as a "
          "session runs it:")
    for name, s in [*p["traps"].items(), ("any trap", p["any_trap"]), ("feeling reached", p["feeling_reached"]),
                    *p["skills"].items()]:
        print(f"    {name:<22} agreement {s['agreement']:.3f}  macro-F1 {s['macro_f1']:.3f}  κ {s['kappa']:.3f}  "
              f"precision {s['precision']:.3f}  recall {s['recall']:.3f}")
    print(f"    understood: agreement {p['understood']['agreement']:.3f}, within one point "
          f"{p['understood']['within_one']:.3f}; " + "; ".join(
              f"{k}: {v['reach_no_feeling']}/{v['lines']} reach no feeling, {v['understood_at_most_1']}/{v['lines']} "
              "understood ≤ 1" for k, v in p["unempathic_kinds"].items()))


def method_of(rater) -> str:
    from simulator.rating.appraisal import judged_by_heads

    if judged_by_heads(rater):
        return "heads (trained on people's labels, over the bundled model's embeddings)"
    if rater.endpoint.judge == "logprobs":
        return "logprobs (yes/no questions scored from the model's log-probabilities)"
    return "ask (the rater model answers each question)"


async def run_rater(context, args: argparse.Namespace) -> int:
    from simulator.errors import ConfigError

    if not args.epitome and not args.lines:
        raise ConfigError("eval rater needs --epitome PATH, --lines FILE, or both",
                          "e.g. rehearse eval rater --lines bench/data/therapist-lines")
    rater = context.model("rater")
    report: dict = {"model": await rater.model_name(), "backend": rater.endpoint.backend,
                    "judge": rater.endpoint.judge, "method": method_of(rater)}
    if args.epitome:
        from simulator.rating.epitome_eval import evaluate

        results = await evaluate(rater, context.prompts, args.epitome, args.limit, _progress)
        report["mechanisms"] = [{"mechanism": r.mechanism, "file": str(r.source), **_agreement_json(r.agreement)}
                                for r in results]
    if args.lines:
        from simulator.rating.lines_eval import evaluate_lines

        lines = await evaluate_lines(rater, context.prompts, context.personas, args.lines, args.limit, _progress)
        report["lines"] = {
            "lines": lines.lines, "personas": lines.personas,
            "traps": {y.name: _yes_no_json(y) for y in lines.traps}, "any_trap": _yes_no_json(lines.any_trap),
            "skills": {y.name: _yes_no_json(y) for y in lines.skills},
            "feeling_reached": _yes_no_json(lines.feeling_reached),
            "feeling_levels": _agreement_json(lines.feeling_levels),
            "understood": {**_agreement_json(lines.understood), "within_one": round(lines.understood_within_one, 4)},
            "unempathic_kinds": {kind: {"lines": n, "reach_no_feeling": none, "understood_at_most_1": low}
                                 for kind, (n, none, low) in lines.unempathic_kinds.items()},
        }
    if rater.endpoint.judge == "heads":
        from simulator.rating.heads import load_heads

        report["cross_validated"] = {name: load_heads(name).card for name in ("epitome", "lines")}
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(terminal_safe(f"Rater: {report['model']} ({report['backend']}); judged by {report['method']}"))
    if rater.endpoint.judge == "heads":
        print(IN_SAMPLE_NOTE)
        print_cross_validated(report["cross_validated"])
    if args.epitome:
        print(f"\nEPITOME\n{'mechanism':<20} {'rows':>5} {'accuracy':>9} {'macro-F1':>9} {'kappa':>7}")
        for r in results:
            a = r.agreement
            print(f"{r.mechanism:<20} {a.total:>5} {a.accuracy:>9.3f} {a.macro_f1:>9.3f} {a.kappa:>7.3f}")
        for r in results:
            print(f"\n{r.mechanism}: confusion (rows: people said 0/1/2; columns: rater said 0/1/2)")
            for label, row in zip(r.agreement.labels, r.agreement.confusion):
                print(f"  {label}: " + " ".join(f"{count:>5}" for count in row))
    if args.lines:
        print(f"\nLabelled therapist lines: {lines.lines} lines, {lines.personas} personas")
        print(f"{'judgement':<26} {'agreement':>9} {'macro-F1':>9} {'kappa':>7} {'precision':>9} {'recall':>7}")
        for y in (*lines.traps, lines.any_trap, lines.feeling_reached, *lines.skills):
            a = y.agreement
            print(f"{y.name:<26} {a.accuracy:>9.3f} {a.macro_f1:>9.3f} {a.kappa:>7.3f} {y.precision:>9.3f} "
                  f"{y.recall:>7.3f}")
        levels, understood = lines.feeling_levels, lines.understood
        print(f"{'feeling levels (0/1/2)':<26} {levels.accuracy:>9.3f} {levels.macro_f1:>9.3f} {levels.kappa:>7.3f}")
        print(f"{'understood (0-4)':<26} {understood.accuracy:>9.3f} {understood.macro_f1:>9.3f} "
              f"{understood.kappa:>7.3f}   within one point: {lines.understood_within_one:.3f}")
        for kind, (n, none, low) in lines.unempathic_kinds.items():
            if n:
                print(f"{kind}: {none}/{n} reach no feeling, {low}/{n} understood ≤ 1")
    return 0
