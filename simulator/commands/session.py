"""`rehearse session`: a whole session without the app, for scripts and instructors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from simulator.errors import ConfigError


class _Step(argparse.Action):
    """Keeps --say and --retry-from in the order given: a retry forks, and the lines after it go there."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        steps = list(getattr(namespace, "steps", None) or [])
        steps.append((self.dest, value))
        namespace.steps = steps


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "session", parents=parents,
        help="play a session headless: say each line in turn, then print the client's form",
        description="Play a whole session without the app: each --say is one trainee line (an empty one "
                    "waits in silence), the client answers each once the last line is appraised, then the "
                    "client fills in the post-session form. --retry-from N forks a branch that replays your "
                    "Nth line; the --say lines after it go to that branch. Every branch gets its own form.",
    )
    parser.add_argument("--persona", required=True, metavar="ID", help="persona id (see `rehearse persona list`)")
    parser.add_argument("--say", action=_Step, dest="say", metavar="TEXT", help="one trainee line; repeat for each turn")
    parser.add_argument("--retry-from", action=_Step, dest="retry", type=int, metavar="N",
                        help="fork a branch that replays your Nth line of the current branch")
    parser.add_argument("--predict", metavar="FILE", type=Path,
                        help="your prediction of the client's form, as JSON: "
                             '{"empathy": {"warmth": 0-4, ...}, "helpfulness": 0-4, "session": {"relationship": 0-10, ...}}')
    parser.add_argument("--json", action="store_true", help="print the whole session as one JSON document")
    parser.set_defaults(run=run, steps=[])


def read_prediction(path: Path):
    from simulator.domain import Prediction
    from simulator.rating.calibration import prediction_problems

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"--predict {path}: cannot read ({error.strerror})", "check the path") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"--predict {path}: not valid JSON ({error})", "fix the file") from None
    problems = prediction_problems(data)
    if problems:
        raise ConfigError(f"--predict {path}: {problems[0]}", "see `rehearse session --help` for the shape")
    return Prediction(empathy=data["empathy"], helpfulness=data["helpfulness"], session=data["session"])


def with_calibration(document: dict[str, Any], session) -> dict[str, Any]:
    from simulator.rating.calibration import calibrate

    for branch_data, branch in zip(document["branches"], session.branches):
        branch_data["calibration"] = None
        if branch.prediction and branch.form:
            result = calibrate(branch.prediction, branch.form)
            branch_data["calibration"] = {"score": result.score, "empathy_gap": result.empathy_gap,
                                          "gaps": {g.item.key: g.gap for g in result.gaps}}
    document["calibration"] = document["branches"][[b.id for b in session.branches].index(session.active)][
        "calibration"]
    return document


async def run(context, args: argparse.Namespace) -> int:
    from simulator.commands.headless import HeadlessPlay

    if not any(kind == "say" for kind, _ in args.steps):
        raise ConfigError("rehearse session: no --say given", "add one --say TEXT for each of your lines")
    prediction = read_prediction(args.predict) if args.predict else None
    engine = context.begin_session(args.persona)
    play = HeadlessPlay(context, engine, show=not args.json)
    play.print_turns()  # the opening line
    for number, (kind, value) in enumerate(args.steps):
        if kind == "retry":
            await play.finish_branch(prediction)
            try:
                engine.retry_from(value)
            except ValueError as error:
                raise ConfigError(f"--retry-from {value}: {error}", "count only your own lines, from 1") from None
            play.write(f"\n— retrying your line {value} in branch {engine.branch.id} —\n")
            continue
        await play.say(value, unsent=[text for kind, text in args.steps[number + 1:] if kind == "say"])
    await play.finish_branch(prediction)
    play.report(args.json)
    return 0
