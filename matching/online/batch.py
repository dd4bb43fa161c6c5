"""One week's arrivals (:class:`Batch`) and its per-person block form, shared by the assigner and the runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from matching.assign import Candidates, FloatArray, IntArray, as_int_vector, candidates

__all__ = ["Batch", "PersonBlock", "by_person"]

PersonBlock = tuple[IntArray, IntArray, FloatArray, IntArray]
"""A batch by person: pairs per person, then columns and scores sorted by person, and each person's ``k``."""


@dataclass(frozen=True)
class Batch:
    """One week's arrivals: scores over *all* openings (n_t × m), their ``k`` and an optional mask."""

    scores: Any
    person_capacity: ArrayLike = 1
    feasible: Any = None

    def to_candidates(self, m: int) -> tuple[Candidates, IntArray]:
        """Validated candidates and per-person capacity for this batch."""
        shape = None
        if isinstance(self.scores, tuple):
            kk = np.asarray(self.person_capacity)
            rows0 = np.asarray(self.scores[0])
            n = int(kk.shape[0]) if kk.ndim == 1 else (int(rows0.max()) + 1 if rows0.size else 0)
            shape = (n, m)
        cand = (
            self.scores
            if isinstance(self.scores, Candidates)
            else candidates(self.scores, self.feasible, shape=shape)
        )
        if cand.m != m:
            raise ValueError(f"scores: batch has {cand.m} openings, opening_capacity has {m}")
        return cand, as_int_vector(self.person_capacity, "person_capacity", cand.n)


def by_person(cand: Candidates, k: IntArray) -> PersonBlock:
    """A batch as a CSR-like block: pairs per person, then columns and scores sorted by person, and ``k``."""
    order = np.argsort(cand.rows, kind="stable")
    counts = np.bincount(cand.rows, minlength=cand.n).astype(np.int64)
    return counts, cand.cols[order], cand.vals[order], k
