"""Pairwise precision, recall and F1 of a clustering against the truth.

>>> s = pair_scores({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "x", "c": "x"})
>>> (s.precision, round(s.recall, 3))
(1.0, 0.333)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PairScores", "pair_scores", "shared_households"]


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


def shared_households(
    household_of: Mapping[str, str], list_of: Mapping[str, str]
) -> dict[tuple[str, str], int]:
    """For every pair of lists (agencies), how many households both serve: the question the linkage exists
    for ("which households do two agencies both serve without working together").

    >>> shared_households({"a:1": "h1", "b:7": "h1", "b:8": "h2"}, {"a:1": "a", "b:7": "b", "b:8": "b"})
    {('a', 'b'): 1}
    """
    lists_of: dict[str, set[str]] = {}
    for rid, hh in household_of.items():
        lists_of.setdefault(hh, set()).add(list_of[rid])
    out: Counter[tuple[str, str]] = Counter()
    for ls in lists_of.values():
        s = sorted(ls)
        for i in range(len(s)):
            for j in range(i + 1, len(s)):
                out[(s[i], s[j])] += 1
    return dict(sorted(out.items()))
