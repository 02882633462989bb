"""How far the fidelity judge (simulator/engine/fidelity.py) agrees with replies labelled by hand.

    .venv/bin/python bench/fidelity_judge_agreement.py [FILE ...]   (default: every
    bench/data/client-replies/labelled*.jsonl, one table each)

Each reply is judged again from its persona, hidden state, the trainee's line and its kind, the
same persona's earlier replies in the file (a session, in order) and the persona's hidden text as
the instructions it must not recite (the director's note of the moment is not in the file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.domain import HiddenState  # noqa: E402
from simulator.engine.fidelity import judge_reply  # noqa: E402
from simulator.engine.guards import hidden_text  # noqa: E402
from simulator.personas.loader import load_persona_file  # noqa: E402
from simulator.rating.agreement import agreement  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "bench" / "data" / "client-replies"


def main(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    personas = {}
    people, judge, disagreements = [], [], []
    said: dict[str, list[str]] = {}
    for row in rows:
        persona = personas.get(row["persona"]) or load_persona_file(REPO / "personas" / f"{row['persona']}.yaml")
        personas[row["persona"]] = persona
        state = HiddenState(trust=row["trust"], resistance=row["resistance"])
        earlier = said.setdefault(row["persona"], [persona.profile.opening_lines[0]])
        verdict = judge_reply(row["reply"], persona, state, advice=row["kind"] == "advice",
                              instructions="\n".join(hidden_text(persona)), earlier=list(earlier), line=row["line"])
        earlier.append(row["reply"])
        people.append(int(row["in_character"]))
        judge.append(int(verdict.in_character))
        if verdict.in_character != row["in_character"]:
            disagreements.append((row, verdict))
    a = agreement(people, judge, labels=(0, 1))
    out_people = [1 - p for p in people]
    out_judge = [1 - j for j in judge]
    caught = sum(1 for p, j in zip(out_people, out_judge) if p and j)
    print(f"Fidelity judge against {len(rows)} replies labelled by hand ({path.name}, "
          f"{len(personas)} personas)\n")
    print("| judgement | agreement | κ | out of character: precision | recall | labelled out |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    precision = caught / max(sum(out_judge), 1)
    recall = caught / max(sum(out_people), 1)
    print(f"| in character | {a.accuracy:.3f} | {a.kappa:.3f} | {precision:.3f} | {recall:.3f} | {sum(out_people)} |")
    print("\nDisagreements:")
    for row, verdict in disagreements:
        print(f"- {row['persona']} ({row['kind']}): people {'in' if row['in_character'] else 'OUT'}, judge "
              f"{'in' if verdict.in_character else 'OUT'} {list(verdict.problems)}: {row['reply'][:120]!r}")


if __name__ == "__main__":
    for index, path in enumerate([Path(a) for a in sys.argv[1:]] or sorted(LABELLED.glob("labelled*.jsonl"))):
        if index:
            print("\n")
        main(path)
