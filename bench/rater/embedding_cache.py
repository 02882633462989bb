"""Embeddings of many texts from the bundled GGUF, computed once and kept in a content-addressed cache.

Training only: the app asks its own embedding server (`simulator/llm/embedder.py`) the same question
through the openai client. Both run llama.cpp's mean pooling over the same model with the same
truncation, so the heads see the same vectors at training and at run time.

    .venv/bin/python bench/rater/embedding_cache.py   # embeds every EPITOME row and labelled line
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from simulator.rating.embedding_text import EMBEDDING_TOKENS, feeling_text  # noqa: E402

CACHE_DIR = Path(os.environ.get("REHEARSE_TRAINING_CACHE", Path.home() / ".cache" / "rehearse" / "training"))


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, name: str = "embeddings") -> None:
        self.path = CACHE_DIR / f"{name}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as data:
                self.vectors = {k: data[k] for k in data.files}
        self._model = None

    def model(self):
        if self._model is None:
            import llama_cpp

            from simulator.llm.model_files import default_model_path

            self._model = llama_cpp.Llama(model_path=str(default_model_path()), embedding=True,
                                          pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                                          n_ctx=EMBEDDING_TOKENS, n_batch=EMBEDDING_TOKENS, n_ubatch=EMBEDDING_TOKENS,
                                          n_threads=os.cpu_count(), verbose=False)
        return self._model

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, **self.vectors)
        tmp.replace(self.path)

    def embed_all(self, texts: list[str], report_every: int = 50) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if key(t) not in self.vectors]
        started = time.monotonic()
        for done, text in enumerate(missing, 1):
            vector = self.model().create_embedding(text)["data"][0]["embedding"]
            self.vectors[key(text)] = np.asarray(vector, dtype=np.float32)
            if done % report_every == 0 or done == len(missing):
                rate = done / (time.monotonic() - started)
                print(f"embedded {done}/{len(missing)} ({rate:.2f}/s)", flush=True)
                self.save()
        return np.stack([self.vectors[key(t)] for t in texts]) if texts else np.zeros((0, 0))


if __name__ == "__main__":
    from bench.rater.datasets import epitome_rows, labelled_lines

    cache = EmbeddingCache()
    lines = labelled_lines()
    cache.embed_all([line.line for line in lines])
    cache.embed_all(sorted({feeling_text(f) for line in lines for f in line.persona_feelings}))
    cache.embed_all([row.response for row in epitome_rows("emotional_reaction")])
