"""Storage at scale: save a turn, list history, open one session, with many sessions stored.

Fills a temporary transcripts folder with N sessions of T turns each (appraised trainee turns, a
form and a prediction, as real sessions have), then times the store's own calls in-process and
prints a Markdown table. Saves are durable (fsync of the file and of the folder); the table also
shows the same save with fsync switched off, and a bare fsync, so the disk's share is visible.
Run: .venv/bin/python bench/storage_bench.py [--sessions 2000] [--turns 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.domain import (  # noqa: E402
    Appraisal,
    ClientForm,
    HiddenState,
    Prediction,
    Session,
    Speaker,
    Touch,
    Turn,
)
from simulator.serialization import session_to_record  # noqa: E402
from simulator.storage.index import INDEX_NAME  # noqa: E402
from simulator.storage.schema import SCHEMA_VERSION  # noqa: E402
from simulator.storage.sessions import SESSION_DOC_ID, SESSION_TABLE, SessionStore  # noqa: E402

FEELINGS = ("ashamed that she resents her mother", "lonely and unseen", "afraid of turning into her mother")
PERSONAS = ("dana-yes-but", "lena-silent", "marcus-hostile", "eleanor-critical")
TRAINEES = ("Sam", "Ana", "Bo", "")
CLIENT_LINE = "Yeah, but you don't know what it is like to come home to that every single night, do you?"
TRAINEE_LINE = "It sounds like you are carrying all of it alone, and nobody has asked how you are."


def make_session(number: int, turns: int) -> Session:
    started = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(hours=7 * number)
    persona = PERSONAS[number % len(PERSONAS)]
    session = Session(id=f"{started:%Y%m%d-%H%M%S}-{persona}-{number:04x}", persona_id=persona,
                      trainee=TRAINEES[number % len(TRAINEES)], started_at=started,
                      client_model="bench-model", rater_model="bench-model",
                      initial_state=HiddenState(2.0, 5.0, {f: Touch.NONE for f in FEELINGS}))
    for index in range(turns):
        at = started + timedelta(seconds=30 * index)
        if index % 2 == 0:
            session.turns.append(Turn(Speaker.CLIENT, CLIENT_LINE, at=at))
            continue
        appraisal = Appraisal(feelings={f: Touch.PARTLY for f in FEELINGS},
                              epitome={"emotional_reaction": 1, "interpretation": 1, "exploration": 0},
                              skills=("feeling_empathy",), traps=(), understood=2,
                              inner_reaction="Maybe they do get it, a little.")
        state = HiddenState(2.0 + index / 10, 5.0 - index / 20, {f: Touch.PARTLY for f in FEELINGS})
        session.turns.append(Turn(Speaker.TRAINEE, TRAINEE_LINE, at=at, appraisal=appraisal, state_after=state))
    if number % 5:  # most sessions ended, some were left unfinished
        branch = session.branch()
        branch.form = ClientForm(empathy={"warmth": 3, "trust": 2, "respect": 4, "listening": 3, "understood": 2},
                                 helpfulness=2, session={"relationship": 7, "goals": 6, "approach": 6, "overall": 6},
                                 comment="It was okay, I suppose.")
        branch.prediction = Prediction(empathy={"warmth": 4, "trust": 3, "respect": 4, "listening": 4,
                                                "understood": 3},
                                       helpfulness=3, session={"relationship": 8, "goals": 7, "approach": 7,
                                                               "overall": 7})
        branch.ended_at = started + timedelta(minutes=25)
    return session


def fill(folder: Path, sessions: int, turns: int) -> list[str]:
    """Write the sessions as the store would, minus the fsyncs (setting up is not what we time)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ids = []
    for number in range(sessions):
        session = make_session(number, turns)
        tables = {SESSION_TABLE: {str(SESSION_DOC_ID): {"schema": SCHEMA_VERSION, **session_to_record(session)}}}
        path = folder / f"{session.id}.json"
        path.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
        os.chmod(path, 0o600)
        ids.append(session.id)
    return ids


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def no_fsync():
    real = os.fsync
    os.fsync = lambda descriptor: None
    try:
        yield
    finally:
        os.fsync = real


def time_saves(store: SessionStore, session_id: str, rounds: int) -> list[float]:
    """Append a turn and save, then take it back and save: the session stays at its size."""
    session = store.load(session_id)
    timings = []
    for round_number in range(rounds):
        if round_number % 2 == 0:
            session.turns.append(Turn(Speaker.TRAINEE, TRAINEE_LINE))
        else:
            session.turns.pop()
        started = time.perf_counter()
        store.save(session)
        timings.append(time.perf_counter() - started)
    return timings


def bare_fsync(folder: Path, rounds: int) -> list[float]:
    timings = []
    path = folder / ".fsync-probe"
    with open(path, "wb") as handle:
        for _ in range(rounds):
            handle.write(b"x" * 4096)
            handle.flush()
            started = time.perf_counter()
            os.fsync(handle.fileno())
            timings.append(time.perf_counter() - started)
    path.unlink()
    return timings


def timed_history(folder: Path) -> tuple[float, int]:
    """Seconds for one listing from a fresh store, and the rows it gave."""
    started = time.perf_counter()
    history = SessionStore(folder).history()
    return time.perf_counter() - started, len(history.rows)


def history_peak_bytes(folder: Path) -> int:
    """tracemalloc's peak during one listing (timed apart: tracing slows Python down several times)."""
    tracemalloc.start()
    SessionStore(folder).history()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def command_wall_time(folder: Path) -> float:
    env = dict(os.environ, REHEARSE_TRANSCRIPTS=str(folder))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simulator", "history", "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--saves", type=int, default=200, help="saves to time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as temporary:
        folder = Path(temporary) / "transcripts"
        started = time.perf_counter()
        ids = fill(folder, args.sessions, args.turns)
        fill_seconds = time.perf_counter() - started
        sizes = [p.stat().st_size for p in folder.glob("*.json")]

        cold_peak = history_peak_bytes(folder)
        (folder / INDEX_NAME).unlink()
        cold, rows = timed_history(folder)
        warm = [timed_history(folder)[0] for _ in range(5)]
        warm_peak = history_peak_bytes(folder)

        store = SessionStore(folder)
        saves = time_saves(store, ids[len(ids) // 2], args.saves)
        with no_fsync():
            saves_no_fsync = time_saves(store, ids[len(ids) // 3], args.saves)
        fsyncs = bare_fsync(folder, 50)
        after_save, _ = timed_history(folder)
        store.close()

        opens = []
        for session_id in random.Random(5).sample(ids, 100):
            begun = time.perf_counter()
            SessionStore(folder).load(session_id)
            opens.append(time.perf_counter() - begun)
        command = statistics.median(command_wall_time(folder) for _ in range(3))
        index_size = (folder / "index.json").stat().st_size

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.sessions} sessions of {args.turns} turns (files {min(sizes) // 1024}-{max(sizes) // 1024} KiB, "
          f"index {index_size // 1024} KiB); set up in {fill_seconds:.1f} s; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}\n")
    print("| measure | p50 | p95 | target |")
    print("|---|---|---|---|")
    print(f"| save a turn (fsync file + folder) | {ms(statistics.median(saves))} | {ms(percentile(saves, .95))} "
          "| ≤ 5 ms p95 |")
    print(f"| save a turn, fsync off (our own cost) | {ms(statistics.median(saves_no_fsync))} | "
          f"{ms(percentile(saves_no_fsync, .95))} | |")
    print(f"| one bare fsync of 4 KiB on this disk | {ms(statistics.median(fsyncs))} | {ms(percentile(fsyncs, .95))} "
          "| |")
    print(f"| list history, index fresh ({rows} rows) | {ms(statistics.median(warm))} | {ms(max(warm))} (max of 5) "
          "| ≤ 300 ms |")
    print(f"| list history after one session changed | {ms(after_save)} | | ≤ 300 ms |")
    print(f"| list history, no index yet (rebuild) | {ms(cold)} | | |")
    print(f"| `rehearse history --json`, whole process | {ms(command)} | | |")
    print(f"| open one session | {ms(statistics.median(opens))} | {ms(percentile(opens, .95))} | ≤ 50 ms |")
    print(f"| peak memory: listing (tracemalloc) | {warm_peak / 2**20:.1f} MiB | | |")
    print(f"| peak memory: rebuilding the index (tracemalloc) | {cold_peak / 2**20:.1f} MiB | | |")
    print(f"| peak RSS of the whole bench | {peak_rss_mb:.0f} MiB | | |")


if __name__ == "__main__":
    main()
