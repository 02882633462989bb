"""`rehearse doctor`: which backend and model each role uses, and whether and how fast it answers."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from simulator.terminal_text import terminal_safe

ROLES = ("client", "rater")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "doctor", parents=parents,
        help="check each role's model: backend, whether it answers and gives structured output, speed",
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.set_defaults(run=run)


def _seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else "—"


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(terminal_safe("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()))


async def run(context, args: argparse.Namespace) -> int:
    from simulator.llm.doctor import check_role

    from simulator.rating.trust import trust_note

    rater = context.model("rater")
    # Only the rater asks for JSON; the client streams its lines, so its JSON is not checked.
    checks = [await check_role(context.model(role), structured=role == "rater") for role in ROLES]
    judged = {"judge": rater.endpoint.judge, "trust": trust_note(rater.endpoint.judge)}
    if args.json:
        json.dump([{**asdict(check), **(judged if check.role == "rater" else {})} for check in checks],
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        rows = [("role", "backend", "model", "endpoint", "answers", "structured", "first token", "tokens/s")]
        for check in checks:
            rows.append((check.role, check.backend, check.model or "?", check.base_url,
                         "yes" if check.answers else "NO",
                         {True: "yes", False: "NO", None: "not needed"}[check.structured],
                         _seconds(check.first_token_s),
                         f"{check.tokens_per_s:.1f}" if check.tokens_per_s else "—"))
        print_table(rows)
        for check in checks:
            if check.problem:
                print(terminal_safe(f"{check.role}: {check.problem}"))
        print(f"rater judges lines by '{judged['judge']}': {judged['trust']}")
    return 0 if all(check.healthy for check in checks) else 1
