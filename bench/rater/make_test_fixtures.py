"""Write tests/fixtures/embeddings/dana.json: the bundled model's embeddings of a few lines to Dana
and of her hidden feelings, so the tests can check the shipped heads' judgements without the model;
and tests/fixtures/embeddings/client-replies.json: embeddings of a few exchanges (a trainee line and
a client's reply) for the fidelity judge's head.

    .venv/bin/python bench/rater/make_test_fixtures.py

None of these lines is in bench/data/therapist-lines, and none of the exchanges in
bench/data/client-replies (the heads never saw them).
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


EXCHANGES = [
    # (persona, trust, trainee line, client reply): written for the tests, as the bundled model's
    # clients answer; whether each is in character is the tests' to say.
    ("dana-yes-but", 2.0, "Could you ask a neighbour to sit with your mum for an hour?",
     "Yeah, right. The neighbours are eighty and deaf. Next idea."),
    ("dana-yes-but", 2.0, "Could you ask a neighbour to sit with your mum for an hour?",
     "That is a wonderful suggestion. I will reach out to my neighbours and build a support network."),
    ("marcus-hostile", 1.0, "How was your week?",
     "Same as always. Why d'you care?"),
    ("marcus-hostile", 1.0, "How was your week?",
     "It was a journey of growth, and I am grateful to have this safe space to explore my emotions with you."),
    ("tom-silent", 1.0, "What brings you here today?", "*shrugs* Dunno."),
    ("tom-silent", 1.0, "What brings you here today?",
     "Well, I have been reflecting on many aspects of my life, and I would like to discuss my relationships, "
     "my career goals and how I can develop healthier coping mechanisms going forward."),
    ("marcus-hostile", 1.0, "What's been the hardest part?", "The hardest part is sitting here answering that."),
    ("marcus-hostile", 1.0, "What's been the hardest part?",
     "Honestly, I guess just feeling like I'm not good enough at home. It's been hard."),
]


def exchanges_fixture() -> None:
    from simulator.engine.fidelity import exchange_text

    texts = [exchange_text(line, reply) for _, _, line, reply in EXCHANGES]
    vectors = EmbeddingCache("test-fixtures").embed_all(texts)
    out = REPO / "tests" / "fixtures" / "embeddings" / "client-replies.json"
    out.write_text(json.dumps({t: [round(float(x), 5) for x in v] for t, v in zip(texts, vectors)}) + "\n")
    print(f"wrote {out}")


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
    exchanges_fixture()
