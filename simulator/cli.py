"""The `rehearse` command: parse flags, build settings and context, then run the chosen command."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import os
import sys
from collections.abc import Sequence
from typing import Any

from simulator.commands import COMMAND_MODULES
from simulator.errors import RehearseError
from simulator.terminal_text import terminal_safe

DESCRIPTION = "Rehearse: a terminal flight simulator for hard therapy conversations."


def _common_options(defaults: Any) -> argparse.ArgumentParser:
    """Flags every command takes; `defaults` is None on the top level and SUPPRESS on subcommands."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group(SETTINGS_GROUP)
    group.add_argument("--config", metavar="FILE", default=defaults, help="config TOML file (env: REHEARSE_CONFIG)")
    group.add_argument("--base-url", metavar="URL", default=defaults,
                       help="OpenAI-compatible endpoint for both roles (env: REHEARSE_BASE_URL)")
    group.add_argument("--api-key", metavar="KEY", default=defaults, help="API key (env: REHEARSE_API_KEY)")
    group.add_argument("--client-model", metavar="NAME", default=defaults,
                       help="model that plays the client (env: REHEARSE_CLIENT_MODEL)")
    group.add_argument("--rater-model", metavar="NAME", default=defaults,
                       help="model that rates the trainee (env: REHEARSE_RATER_MODEL)")
    group.add_argument("--transcripts", metavar="DIR", default=defaults,
                       help="folder for saved sessions (env: REHEARSE_TRANSCRIPTS)")
    group.add_argument("--personas", metavar="PATH", action="append", default=defaults,
                       help="extra persona file or folder; may be repeated")
    group.add_argument("--trainee", metavar="NAME", default=defaults, help="your name, saved with each session")
    group.add_argument("--model-path", metavar="GGUF", default=defaults,
                       help="model file for the embedded engine (env: REHEARSE_MODEL_PATH)")
    return parent


SETTINGS_GROUP = "settings (flags beat REHEARSE_* variables, which beat the config file)"


class _OwnOptionsFirst(argparse.HelpFormatter):
    """A command's usage line shows its own options, then "[settings]" for the nine flags every
    command takes (listed in full at the end of its help)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        own = [action for action in actions if action.dest not in _SETTING_DESTS]
        if len(own) < len(actions):
            own.append(argparse.Action([], "settings", metavar="[settings]"))
        super().add_usage(usage, own, groups, prefix)


_SETTING_DESTS = {action.dest for action in _common_options(None)._actions}


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rehearse")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehearse",
        description=DESCRIPTION + " With no command, opens the app.",
        parents=[_common_options(None)],
    )
    parser.add_argument("-V", "--version", action="version", version=f"rehearse {installed_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parents = [_common_options(argparse.SUPPRESS)]
    for name in COMMAND_MODULES:
        importlib.import_module(f"simulator.commands.{name}").add_parser(commands, parents)
    _own_options_first(commands)
    parser.set_defaults(root_parser=parser)  # for `rehearse completion`, which completes the whole command
    return parser


def _own_options_first(commands) -> None:
    for command in commands.choices.values():
        command.formatter_class = _OwnOptionsFirst
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _own_options_first(action)


def _settings_from(args: argparse.Namespace):
    from simulator.settings import load_settings

    model: dict[str, Any] = {}
    if getattr(args, "base_url", None):
        model["base_url"] = args.base_url
    if getattr(args, "api_key", None):
        model["api_key"] = args.api_key
    cli = {
        "config": getattr(args, "config", None),
        "model": model,
        "client": {"model": getattr(args, "client_model", None)},
        "rater": {"model": getattr(args, "rater_model", None)},
        "transcripts": getattr(args, "transcripts", None),
        "personas": getattr(args, "personas", None),
        "trainee": getattr(args, "trainee", None),
        "model_path": getattr(args, "model_path", None),
    }
    return load_settings(cli)


async def _run_async(run, context, args: argparse.Namespace) -> int:
    try:
        return await run(context, args)
    finally:
        await context.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        from simulator.commands.app import run as run_app

        args.run = run_app
    try:
        from simulator.context import AppContext

        context = AppContext(_settings_from(args))
        if inspect.iscoroutinefunction(args.run):
            return asyncio.run(_run_async(args.run, context, args))
        return args.run(context, args)
    except RehearseError as error:
        print(f"rehearse: error: {terminal_safe(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`rehearse history --json | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
