"""`rehearse import`: read back a session exported with `rehearse export --format json`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.errors import SessionNameError
from simulator.terminal_text import terminal_safe


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import", parents=parents, help="add a session exported as JSON to your saved sessions",
        description="Add a session from `rehearse export SESSION --format json` (or the output of "
                    "`rehearse session --json`) to the transcripts folder, exactly as it was. A session whose id "
                    "is already saved is refused unless --as-new gives the copy a new id.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the exported JSON file ('-' reads standard input)")
    parser.add_argument("--as-new", action="store_true", help="import under a new id even if the id is taken")
    parser.set_defaults(run=run)


def _read(path: Path):
    source = "standard input" if str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return json.loads(text), source
    except OSError as error:
        raise SessionNameError(f"{source}: cannot read ({error.strerror})", "check the path") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SessionNameError(f"{source}: not valid JSON ({error})",
                           "export it again with `rehearse export SESSION --format json`") from None


def run(context, args: argparse.Namespace) -> int:
    from simulator.storage.exchange import copy_id, session_from_document

    data, source = _read(args.file)
    session = session_from_document(data, source)
    if args.as_new:
        session.id = copy_id(session.id)
    path = context.store.add(session)
    print(terminal_safe(f"Imported {session.id} to {path}"))
    return 0
