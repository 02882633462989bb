"""`rehearse session`: a whole session without the app, for scripts and instructors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simulator.errors import ConfigError
from simulator.terminal_text import terminal_json, terminal_safe


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
    from simulator.domain import EMPATHY_MAX, SESSION_MAX, Speaker
    from simulator.engine.session import Redo
    from simulator.serialization import session_to_dict

    if not any(kind == "say" for kind, _ in args.steps):
        raise ConfigError("rehearse session: no --say given", "add one --say TEXT for each of your lines")
    prediction = read_prediction(args.predict) if args.predict else None
    out = sys.stdout
    show = not args.json
    engine = context.begin_session(args.persona)
    name = terminal_safe(engine.persona.profile.name)
    if show:
        out.write(f"{name}: {terminal_safe(engine.session.turns[0].text)}\n")

    async def finish_branch() -> None:
        if engine.branch.ended or engine.awaiting_reply:
            return
        form = await engine.end(prediction)
        if show:
            verdict = "pass" if form.passed else "fail"
            risk = " — at risk" if form.at_risk else ""
            out.write(f"\n[{engine.branch.id}] Empathy {form.empathy_total}/{EMPATHY_MAX}, grade {form.grade} "
                      f"({verdict}); session {form.session_total}/{SESSION_MAX}{risk}\n")
            out.write(f'{name}: "{terminal_safe(form.comment)}"\n')
            lines = [turn for turn in engine.branch.turns if turn.speaker is Speaker.TRAINEE]
            for number, turn in enumerate(lines, start=1):
                if turn.appraisal is None and turn.note:
                    out.write(f"Your line {number} was {terminal_safe(turn.note)}\n")

    for kind, value in args.steps:
        if kind == "retry":
            await finish_branch()
            try:
                engine.retry_from(value)
            except ValueError as error:
                raise ConfigError(f"--retry-from {value}: {error}", "count only your own lines, from 1") from None
            if show:
                out.write(f"\n— retrying your line {value} in branch {engine.branch.id} —\n")
            continue
        # The last line's appraisal sets the state the client plays from, as a trainee's thinking
        # time allows in the app; without the wait every reply would play from a stale state.
        await engine.settle()
        if show:
            out.write(f"\nYou: {terminal_safe(value) or '*waits in silence*'}\n{name}: ")
        async for piece in engine.say(value, silence=not value.strip()):
            if not show:
                continue
            # Each piece is made safe on its own: with every ESC gone, no sequence can span two pieces.
            out.write(f"\n  (rewritten: {terminal_safe(piece.reason)})\n{name}: " if isinstance(piece, Redo)
                      else terminal_safe(piece))
            out.flush()
        if show:
            out.write("\n")
    await finish_branch()
    if args.json:
        out.write(terminal_json(json.dumps(with_calibration(session_to_dict(engine.session), engine.session),
                                           indent=2, ensure_ascii=False)) + "\n")
    else:
        out.write(f"Saved to {context.store.path_for(engine.session.id)}\n")
    return 0
