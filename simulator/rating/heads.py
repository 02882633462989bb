"""Small linear heads trained offline (bench/rater/train_heads.py) and shipped with the package.

A head scores each of its classes as a bias plus dot products with named blocks of features —
`ngrams` (sparse tf-idf), `cues` (word-list and shape cues), `embedding` (the bundled model's
embedding of the line), `pair` (how a line relates to one hidden feeling), `derived` (other heads'
outputs) — and turns the scores into probabilities with a softmax. Pure Python: a few thousand
multiplications a line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from simulator.errors import RehearseError

Features = dict[str, Any]
"""Block name to a dense list of floats, or (for `ngrams`) a sparse {index: value}."""


@dataclass(frozen=True)
class Head:
    classes: tuple[int, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[tuple[float, ...], ...]]
    """Block name to one weight vector per class."""
    threshold: float = 0.5
    """Binary heads: the probability of class 1 at which the judgement says yes."""

    def probabilities(self, features: Features) -> list[float]:
        scores = list(self.bias)
        for block, per_class in self.weights.items():
            values = features[block]
            for c, weights in enumerate(per_class):
                if isinstance(values, dict):
                    scores[c] += sum(weights[i] * v for i, v in values.items())
                else:
                    scores[c] += sum(w * v for w, v in zip(weights, values))
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def predict(self, features: Features) -> int:
        probabilities = self.probabilities(features)
        if len(self.classes) == 2:
            return self.classes[1] if probabilities[1] >= self.threshold else self.classes[0]
        return self.classes[max(range(len(probabilities)), key=probabilities.__getitem__)]

    def yes(self, features: Features) -> bool:
        return bool(self.predict(features))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Head:
        return cls(classes=tuple(data["classes"]), bias=tuple(data["bias"]),
                   weights={block: tuple(tuple(w) for w in vectors) for block, vectors in data["weights"].items()},
                   threshold=data.get("threshold", 0.5))


@dataclass(frozen=True)
class HeadSet:
    """One shipped weights file: its heads, the n-gram vocabulary they share, and its record card."""

    name: str
    heads: dict[str, Head]
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    card: dict[str, Any]
    """Where the weights came from: data, seed, embedding model, cross-validated scores."""


@lru_cache(maxsize=None)
def load_heads(name: str) -> HeadSet:
    """The shipped head set `simulator/rating/weights/NAME.json`."""
    try:
        text = resources.files("simulator.rating").joinpath("weights", f"{name}.json").read_text(encoding="utf-8")
        data = json.loads(text)
        return HeadSet(name=name, heads={key: Head.from_json(h) for key, h in data["heads"].items()},
                       vocabulary={gram: i for i, gram in enumerate(data["vocabulary"])},
                       idf=tuple(data["idf"]), card=data["card"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RehearseError(f"the rater's weights simulator/rating/weights/{name}.json cannot be read ({error})",
                            "reinstall Rehearse, or retrain them with bench/rater/train_heads.py") from None
