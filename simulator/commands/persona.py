"""`rehearse persona ...`: list, check, create, try, test, import and export persona files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator import paths
from simulator.domain import Archetype
from simulator.errors import PersonaError
from simulator.terminal_text import terminal_json, terminal_safe

CARD_FORMATS = ("card-json", "card-png")


def add_parser(commands, parents: list[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "persona", parents=parents, help="list, check, create, try, test, import and export personas",
        description="Work with persona files: the built-in ones, your own (in "
                    f"{paths.user_personas_dir()}), and any named with --personas.",
    )
    parser.set_defaults(run=lambda context, args: _usage(parser))
    actions = parser.add_subparsers(dest="persona_command", metavar="ACTION")

    listing = actions.add_parser("list", parents=parents, help="every persona: id, name, archetype, source")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(run=run_list)

    check = actions.add_parser("check", parents=parents, help="validate persona files or folders",
                               description="Validate persona files: every problem as file:line: field: what — fix. "
                                           "Exit status 1 when any file is invalid.")
    check.add_argument("paths", nargs="*", metavar="PATH", type=Path,
                       help="files or folders (default: the built-in, user and --personas folders)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=run_check)

    new = actions.add_parser("new", parents=parents, help="write a commented starting file for a new persona",
                             description="Write a complete, commented persona file to edit. Asks for what the "
                                         "flags leave out when run in a terminal; otherwise uses defaults.")
    new.add_argument("--id", help="file-safe id, e.g. 'sam-rigid' (default: from name and archetype)")
    new.add_argument("--name", help="the client's name")
    new.add_argument("--age", type=_number_from(5, 120), help="5 to 120")
    new.add_argument("--archetype", choices=[a.value for a in Archetype], help="the kind of difficult client")
    new.add_argument("--difficulty", type=_number_from(1, 5), help="1 (forgiving) to 5 (very hard)")
    new.add_argument("--situation", help="one paragraph the trainee reads before the session")
    new.add_argument("-o", "--out", metavar="PATH", help="where to write it; '-' prints it (default: your persona folder)")
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(run=run_new)

    trial = actions.add_parser("try", parents=parents,
                               help="play a persona file in the app, reloading it when it changes",
                               description="Check the file, then open the app straight into a session with it. "
                                           "Save the file while you play: a valid edit applies from the client's "
                                           "next reply; an invalid one is reported and the old persona stays.")
    trial.add_argument("file", type=Path, metavar="FILE", help="persona file (.yaml)")
    trial.set_defaults(run=run_try)

    test = actions.add_parser("test", parents=parents,
                              help="run a persona's probes and standard checks against the model",
                              description="Say each probe line at the start of a fresh session and ask the rater "
                                          "model whether the client's reply matches the expected reaction; then "
                                          "check the replies to a few standard lines: in character, never the "
                                          "therapist, hidden feelings unsaid, short. Exit status 0 when all pass, "
                                          "1 when any fails, 2 on errors.")
    test.add_argument("persona", metavar="ID|FILE", help="persona id, or a persona file")
    test.add_argument("--json", action="store_true", help="print the results as one JSON document")
    test.set_defaults(run=run_test)

    card_in = actions.add_parser("import", parents=parents, help="turn a character card (.json/.png, V1-V3) into a persona file")
    card_in.add_argument("file", type=Path, metavar="FILE", help="character card: .json, or .png with a card chunk")
    card_in.add_argument("-o", "--out", metavar="PATH", help="where to write the persona; '-' prints it (default: your persona folder)")
    card_in.add_argument("--force", action="store_true", help="replace an existing file")
    card_in.set_defaults(run=run_import)

    card_out = actions.add_parser("export", parents=parents, help="write a persona as a Character Card V2 (.json or .png)")
    card_out.add_argument("persona", metavar="ID|FILE", help="persona id, or a persona file")
    card_out.add_argument("--format", choices=CARD_FORMATS, default="card-json", help="card-json (default) or card-png")
    card_out.add_argument("-o", "--out", metavar="FILE", help="output file; '-' for standard output "
                                                             "(default: ID.card.json or ID.png here)")
    card_out.add_argument("--force", action="store_true", help="replace an existing file")
    card_out.set_defaults(run=run_export)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _number_from(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
        return value

    return parse


def _write(out: str, content: str | bytes, force: bool, name: str) -> Path | None:
    """Write to the file `out` (into it, as `name`, when it is a folder), or to standard output for
    '-'; refuses to replace a file unless forced."""
    if out == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return None
    path = Path(out).expanduser()
    if path.is_dir():
        path = path / name
    if path.exists() and not force:
        raise PersonaError(f"{path} already exists", "choose another --out, or add --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as error:
        raise PersonaError(f"cannot write {path} ({error.strerror or error})", "choose another --out") from None
    return path


# --- list --------------------------------------------------------------------------------------


def _sources(context):
    from simulator.personas.loader import PersonaSource

    return [
        PersonaSource(paths.BUILTIN_PERSONAS_DIR, "built-in"),
        PersonaSource(paths.user_personas_dir(), "user"),
        *(PersonaSource(path, "--personas", required=True) for path in context.settings.personas),
    ]


def run_list(context, args: argparse.Namespace) -> int:
    from simulator.personas.loader import load_library

    library = load_library(_sources(context))
    for warning in library.warnings:
        print(f"rehearse: warning: skipped {terminal_safe(warning)}", file=sys.stderr)
    rows = []
    for entry in library.entries.values():
        profile = entry.persona.profile
        rows.append({
            "id": profile.id, "name": profile.name, "archetype": profile.archetype.value,
            "difficulty": profile.difficulty, "source": entry.kind, "file": entry.persona.source,
            "replaces": [{"source": kind, "file": file} for kind, file in entry.replaced],
        })
    if args.json:
        sys.stdout.write(terminal_json(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n")
        return 0
    if not rows:
        print("no personas found")
        return 0
    table = [("id", "name", "archetype", "difficulty", "source", "file")]
    for row in rows:
        source = row["source"]
        if row["replaces"]:
            source += f" (replaces {row['replaces'][-1]['source']})"
        table.append(tuple(terminal_safe(cell) for cell in (row["id"], row["name"], row["archetype"],
                                                              str(row["difficulty"]), source, row["file"])))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    return 0


# --- check -------------------------------------------------------------------------------------


def run_check(context, args: argparse.Namespace) -> int:
    from simulator.personas.check import check_paths

    if args.paths:
        report = check_paths(args.paths)
    else:
        report = check_paths([paths.BUILTIN_PERSONAS_DIR, *context.settings.personas])
        report.files += check_paths([paths.user_personas_dir()], skip_missing=True).files
    for line in report.lines():
        print(terminal_safe(line))
    print(report.summary())
    return 0 if report.passed(strict=args.strict) else 1


# --- new ---------------------------------------------------------------------------------------


def run_new(context, args: argparse.Namespace) -> int:
    from simulator.personas.persona_file import check_persona_text
    from simulator.personas.schema import SAFE_ID
    from simulator.personas.skeleton import skeleton_text

    answers = _answers(args, ask=input if sys.stdin.isatty() else None)
    if not SAFE_ID.match(answers.id):
        raise PersonaError(f"id {answers.id!r} is not safe as a file name",
                           "use lowercase letters, digits and dashes, e.g. 'sam-rigid'")
    out = args.out or str(paths.user_personas_dir() / f"{answers.id}.yaml")
    text = skeleton_text(answers)
    check = check_persona_text(text, Path(out if out != "-" else f"{answers.id}.yaml"))
    if not check.valid:
        problem = next(problem for problem in check.problems if not problem.warning)
        raise PersonaError(f"the new persona would be invalid: {problem.field}: {problem.what}",
                           "give that value differently on the command line")
    written = _write(out, text, args.force, f"{answers.id}.yaml")
    if written:
        print(f"wrote {written}")
        print(f"next: edit it, then run `rehearse persona check {written}`")
    return 0


def _answers(args: argparse.Namespace, ask):
    """The new persona's basics: flags first, then questions when `ask` is given, then defaults."""
    from simulator.personas.skeleton import SkeletonAnswers, default_id

    def value(flag, question: str, default, parse=str):
        if flag is not None:
            return flag
        if ask is None:
            return default
        while True:
            try:
                reply = ask(f"{question} [{default}]: ").strip()
            except EOFError:
                return default
            if not reply:
                return default
            try:
                return parse(reply)
            except (ValueError, argparse.ArgumentTypeError) as error:
                print(f"  {error}", file=sys.stderr)

    name = " ".join(value(args.name, "Client's name", "Alex Morgan").split()) or "Alex Morgan"
    age = value(args.age, "Age (5-120)", 35, _number_from(5, 120))
    names = ", ".join(a.value for a in Archetype)
    archetype = Archetype(value(args.archetype, f"Archetype ({names})", Archetype.YES_BUT.value, _archetype))
    difficulty = value(args.difficulty, "Difficulty (1-5)", 3, _number_from(1, 5))
    situation = value(args.situation, "Situation, in a sentence or two",
                      f"{name.split()[0]} was referred by their doctor after months of poor sleep and low mood. "
                      "Replace this with who the client is, what brings them now, and who sent them.")
    return SkeletonAnswers(id=args.id or default_id(name, archetype), name=name, age=age,
                           archetype=archetype, difficulty=difficulty, situation=situation)


def _archetype(text: str) -> str:
    return Archetype(text.strip().lower()).value


# --- try and test ------------------------------------------------------------------------------


def _persona_for(context, target: str):
    """A persona from a file path, or else by id from the library."""
    from simulator.personas.loader import PERSONA_SUFFIXES, load_persona_file

    path = Path(target).expanduser()
    if path.is_file():
        return load_persona_file(path)
    if path.suffix in PERSONA_SUFFIXES or "/" in target:
        raise PersonaError(f"{target}: file not found", "check the path, or give a persona id "
                                                        "(see `rehearse persona list`)")
    return context.personas.get(target)


def run_try(context, args: argparse.Namespace) -> int:
    from simulator.personas.loader import load_persona_file
    from simulator.tui.app import RehearseApp

    load_persona_file(args.file)  # a bad file stops here with its first problem, before the app opens
    RehearseApp(context, persona_file=args.file).run()
    return 0


async def run_test(context, args: argparse.Namespace) -> int:
    from simulator.engine.persona_test import run_persona_test

    persona = _persona_for(context, args.persona)
    def show_progress(step: str) -> None:
        print(f"  testing {persona.id}: {step}…", file=sys.stderr)

    progress = show_progress if sys.stderr.isatty() and not args.json else None
    report = await run_persona_test(persona, context.model("client"), context.model("rater"), context.prompts,
                                    progress)
    if args.json:
        sys.stdout.write(terminal_json(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n")
    else:
        _print_test_report(report)
    return 0 if report.passed else 1


def _verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def _print_rows(first_cell: str, width: int, fields: list[tuple[str, str]]) -> None:
    """One table row: `first_cell`, then each labelled field on its own lines, indented under the first."""
    label_width = max(len(label) for label, _ in fields)
    lead = first_cell.ljust(width)
    for label, text in fields:
        for number, line in enumerate(terminal_safe(text).splitlines() or [""]):
            tag = label if number == 0 else ""
            print(f"{lead}{tag:<{label_width}}  {line}".rstrip())
            lead = " " * width


def _print_test_report(report) -> None:
    profile = report.persona.profile
    speaker = terminal_safe(profile.name).split()[0] + ":"
    print(terminal_safe(f"{profile.name} ({profile.id}) · client model {report.client_model} · "
                        f"judge {report.rater_model}"))
    print(terminal_safe(f"in character judged by {report.fidelity_judge}"))
    print()
    if report.probes:
        print("probe  result")
        for number, result in enumerate(report.probes, 1):
            _print_rows(f"{number:<5}  {_verdict(result.passed)}", 15, [
                ("you:", result.probe.say), (speaker, result.reply),
                ("expected:", result.probe.expect), ("judge:", result.verdict.reason),
                *([("in character:", "no — " + "; ".join(result.problems))] if result.problems else []),
            ])
    else:
        print("no probes — add instructor.probes (a line to say and the reaction you expect) to test reactions")
    print()
    width = max(len(result.line.name) for result in report.lines) + 2
    print("standard line".ljust(width) + "replies")
    for result in report.lines:
        _print_rows(result.line.name, width, [("you:", result.line.say), (speaker, result.reply)])
    print()
    width = max(len(check.check.label) for check in report.checks) + 2
    print("check".ljust(width) + "result")
    for check in report.checks:
        failures = "; ".join(f"{line}: {problem}" for line, problem in check.failures)
        print(f"{check.check.label.ljust(width)}{_verdict(check.passed):<6}  {terminal_safe(failures)}".rstrip())
    print()
    missed = sum(1 for result in report.probes if not result.passed)
    failed = sum(1 for check in report.checks if not check.passed)
    if report.passed:
        print(f"all passed: {len(report.probes)} probe(s), {len(report.checks)} checks")
    else:
        print(f"failed: {missed} of {len(report.probes)} probe(s) did not match, "
              f"{failed} of {len(report.checks)} checks failed")


# --- cards -------------------------------------------------------------------------------------


def _refuse_unplayable(card: Path, text: str, out: Path) -> None:
    """Write nothing that `persona check` would reject for more than its TODOs (which the instructor
    fills in): a persona too big to load, or a field of the wrong type."""
    from simulator.personas.persona_file import check_persona_text
    from simulator.personas.problems import errors
    from simulator.personas.yaml_reader import MAX_FILE_BYTES

    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise PersonaError(f"{card}: the persona it makes would be {size // 1024} KiB, and persona files may be "
                           f"at most {MAX_FILE_BYTES // 1024} KiB", "shorten the card's text fields; nothing was written")
    blocking = [p for p in errors(check_persona_text(text, out).problems) if "TODO placeholder" not in p.what]
    if blocking:
        first = blocking[0]
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        raise PersonaError(f"{card}: the persona it makes would fail `rehearse persona check`: "
                           f"{first.field or '(file)'}: {first.what}{more}",
                           "fix that field in the card (its extensions.rehearse section, if it has one); "
                           "nothing was written")


def run_import(context, args: argparse.Namespace) -> int:
    from simulator.personas.card_files import read_card_file
    from simulator.personas.cards import persona_data_from_card
    from simulator.personas.persona_file import check_persona_text
    from simulator.personas.yaml_writer import persona_yaml

    card = read_card_file(args.file)
    try:
        imported = persona_data_from_card(card)
    except PersonaError as error:
        raise PersonaError(f"{args.file}: {error.what}", error.fix) from None
    persona_id = imported.data.get("id")
    persona_id = persona_id if isinstance(persona_id, str) and persona_id else "imported-card"
    out = args.out or str(paths.user_personas_dir() / f"{persona_id}.yaml")
    header = [f"Imported from {args.file.name} (Character Card {imported.version}) by `rehearse persona import`."]
    if imported.guessed:
        header.append("Cards have no hidden feelings or archetype: replace every TODO, and check the difficulty.")
    text = persona_yaml(imported.data, header)
    _refuse_unplayable(args.file, text, Path(out))
    existing = context.personas.personas.get(persona_id)
    written = _write(out, text, args.force, f"{persona_id}.yaml")
    if written is None:
        return 0
    check = check_persona_text(text, written)
    print(f"wrote {written} (Character Card {imported.version})")
    if existing and Path(existing.source).resolve() != written.resolve():
        print(f"note: {existing.source} has the same id; the one read later replaces the other "
              "(order: built-in, user folder, --personas)")
    if not check.valid:
        todo = sum(1 for problem in check.problems if not problem.warning)
        print(f"it needs {todo} edit{'s' if todo != 1 else ''} before it can be played:")
        for line in check.lines():
            print(f"  {terminal_safe(line)}")
        print(f"then run `rehearse persona check {written}`")
    return 0


def run_export(context, args: argparse.Namespace) -> int:
    from simulator.personas.card_files import card_json, card_png
    from simulator.personas.cards import card_from_persona
    from simulator.personas.loader import persona_document

    target = Path(args.persona).expanduser()
    if target.is_file():
        document = persona_document(target)
    else:
        document = persona_document(Path(context.personas.get(args.persona).source))
    persona_id = document.persona.id
    card = card_from_persona(document.persona, document.card)
    if args.format == "card-png":
        content, default = card_png(card, persona_id), f"{persona_id}.png"
    else:
        content, default = card_json(card), f"{persona_id}.card.json"
    written = _write(args.out or default, content, args.force, default)
    if written:
        print(f"wrote {written}")
    return 0
