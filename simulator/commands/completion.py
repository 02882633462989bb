"""`rehearse completion bash|zsh|tcsh`: a shell completion script, generated from the parser."""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "tcsh")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "completion", parents=parents, help="print a shell completion script (bash, zsh or tcsh)",
        description="Print a completion script for your shell, made from Rehearse's own commands and flags. "
                    "bash: rehearse completion bash > ~/.local/share/bash-completion/completions/rehearse; "
                    "zsh: rehearse completion zsh > \"${fpath[1]}/_rehearse\".",
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(run=run)


def run(context, args: argparse.Namespace) -> int:
    import shtab

    sys.stdout.write(shtab.complete(args.root_parser, shell=args.shell))
    return 0
