"""Write tests/fixtures/embeddings/dana.json: the bundled model's embeddings of a few lines to Dana
and of her hidden feelings, so the tests can check the shipped heads' judgements without the model.

    .venv/bin/python bench/rater/make_test_fixtures.py

None of these lines is in bench/data/therapist-lines (the heads never saw them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from bench.rater.embedding_cache import EmbeddingCache  # noqa: E402
from simulator.personas.loader import load_persona_file  # noqa: E402
from simulator.rating.embedding_text import feeling_text  # noqa: E402

LINES = [
    "Resentment, mother, loneliness, unseen, fear, ashamed.",
    "My cat.",
    "Ditto.",
    "You should know I'm listening, and I'm not going to hand you another tip.",
    "What helps most carers is a regular night off that someone else covers.",
    "Here's what we'll do: each evening you'll write down three things that went okay.",
    "It must make your blood boil when yet another expert tells you to pamper yourself.",
    "Everyone checks on your mum, and no one checks on you.",
    "Why don't you ask your sister to take her one weekend a month?",
    "Honestly, you're doing brilliantly. It will all work out.",
]


def main() -> None:
    persona = load_persona_file(REPO / "personas" / "dana-yes-but.yaml")
    texts = LINES + [feeling_text(f) for f in persona.client.hidden_feelings]
    vectors = EmbeddingCache("test-fixtures").embed_all(texts)
    out = REPO / "tests" / "fixtures" / "embeddings" / "dana.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({t: [round(float(x), 5) for x in v] for t, v in zip(texts, vectors)}) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
