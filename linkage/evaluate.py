"""Pairwise precision, recall and F1 of a clustering against the truth.

>>> s = pair_scores({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "x", "c": "x"})
>>> (s.precision, round(s.recall, 3))
(1.0, 0.333)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PairScores", "pair_scores"]


@dataclass(frozen=True)
class PairScores:
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> PairScores:
    """Scores over record pairs: a pair is predicted when both records share a predicted cluster, actual when
    they share a true one. Counted from cluster sizes (no pair is materialised)."""
    ids = [i for i in truth if i in predicted]
    pred = Counter(predicted[i] for i in ids)
    act = Counter(truth[i] for i in ids)
    both = Counter((predicted[i], truth[i]) for i in ids)
    return PairScores(
        true_positive=sum(_pairs(n) for n in both.values()),
        predicted=sum(_pairs(n) for n in pred.values()),
        actual=sum(_pairs(n) for n in act.values()),
    )
