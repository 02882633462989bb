"""Agreement between the rater and human labels: accuracy, macro-F1, Cohen's kappa, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    labels: tuple[int, ...]
    confusion: tuple[tuple[int, ...], ...]
    """confusion[human][rater]: how often the rater said `rater` where people said `human`."""

    @property
    def total(self) -> int:
        return sum(map(sum, self.confusion))

    @property
    def accuracy(self) -> float:
        return sum(self.confusion[i][i] for i in range(len(self.labels))) / self.total if self.total else 0.0

    def f1(self, index: int) -> float:
        true_positive = self.confusion[index][index]
        predicted = sum(row[index] for row in self.confusion)
        actual = sum(self.confusion[index])
        if true_positive == 0:
            return 0.0
        precision, recall = true_positive / predicted, true_positive / actual
        return 2 * precision * recall / (precision + recall)

    @property
    def macro_f1(self) -> float:
        return sum(self.f1(i) for i in range(len(self.labels))) / len(self.labels)

    @property
    def kappa(self) -> float:
        """Cohen's kappa: agreement beyond what the two label distributions would give by chance."""
        total = self.total
        if not total:
            return 0.0
        observed = self.accuracy
        expected = sum(
            sum(self.confusion[i]) * sum(row[i] for row in self.confusion) for i in range(len(self.labels))
        ) / total**2
        return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(human: Sequence[int], rater: Sequence[int], labels: tuple[int, ...] = (0, 1, 2)) -> Agreement:
    matrix = [[0] * len(labels) for _ in labels]
    for truth, guess in zip(human, rater, strict=True):
        matrix[labels.index(truth)][labels.index(guess)] += 1
    return Agreement(labels, tuple(tuple(row) for row in matrix))


def precision_recall(human: Sequence[bool], rater: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall of the rater's yes against people's yes (1.0 where nothing was there to find)."""
    both = sum(1 for h, r in zip(human, rater, strict=True) if h and r)
    said, there = sum(map(bool, rater)), sum(map(bool, human))
    return (both / said if said else 1.0), (both / there if there else 1.0)
