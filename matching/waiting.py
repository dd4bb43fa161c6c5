"""The waiting list against a catalogue: every person's feasible openings and scores, in one matrix.

Both halves of 資源開発 read the waiting list this way: :mod:`matching.unmet` (which openings are missing) and
:mod:`matching.slicing` (cutting a host's work into プチ勤務 that fit the people waiting). Each person is ranked
with :func:`matching.rank.rank` (the same hard constraints and the same scorer a coordinator's match uses), so a
pair is feasible here exactly when the person's own match would list it.

>>> from matching.records import Opening, Profile
>>> o = Opening(id="O-1", title="袋詰め", kind="petit_work", hours_per_session=1)
>>> s = score_all([Profile(id="P-1", consent={"all_hosts": True})], [o])
>>> s.feasible.tolist(), s.best_score().round(3).tolist()[0] > 0
([[True]], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphsvc.domain.records import Opportunity
from matching.constraints import Constraints
from matching.index import OpeningIndex
from matching.rank import Scorer, rank
from matching.records import Opening, Profile

__all__ = ["GOOD_SCORE", "Scores", "score_all"]

GOOD_SCORE = 0.4
"""A match this good or better is 「よく合う」: the expert score of an opening that fits what the person does and
wants, inside their limits. On the demo towns the median best score is about 0.45; below 0.4 the best factors
are distance and hours only (nothing the person brings or wants is used)."""


@dataclass
class Scores:
    """People (rows) × openings (columns): feasibility, score (NaN where infeasible) and, when kept, each
    person's constraint masks (which limit excludes which opening)."""

    profiles: list[Profile]
    index: OpeningIndex
    feasible: np.ndarray  # bool (P, N)
    score: np.ndarray  # float (P, N), NaN where infeasible
    constraints: list[Constraints] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.feasible.shape

    def good(self, threshold: float = GOOD_SCORE) -> np.ndarray:
        """Feasible pairs scoring at least ``threshold``."""
        return self.feasible & (np.nan_to_num(self.score, nan=-1.0) >= threshold - 1e-12)

    def best_score(self, columns: np.ndarray | None = None) -> np.ndarray:
        """Each person's best score over ``columns`` (all by default); 0 with nothing feasible."""
        s = self.score if columns is None else self.score[:, columns]
        if s.shape[1] == 0:
            return np.zeros(s.shape[0])
        filled = np.nan_to_num(s, nan=-1.0)
        return np.maximum(filled.max(axis=1), 0.0)

    def any_feasible(self, columns: np.ndarray | None = None) -> np.ndarray:
        f = self.feasible if columns is None else self.feasible[:, columns]
        return np.asarray(f.any(axis=1)) if f.shape[1] else np.zeros(f.shape[0], dtype=bool)


def score_all(
    profiles: Sequence[Profile],
    openings: OpeningIndex | Sequence[Opening | Opportunity],
    *,
    scorer: Scorer | Any = None,
    keep_constraints: bool = False,
) -> Scores:
    """Rank every opening for every person (no explanations): the feasibility and score matrices."""
    index = openings if isinstance(openings, OpeningIndex) else OpeningIndex.build(openings)
    p, n = len(profiles), len(index)
    feasible = np.zeros((p, n), dtype=bool)
    score = np.full((p, n), np.nan)
    kept: list[Constraints] = []
    for i, prof in enumerate(profiles):
        if n == 0:
            if keep_constraints:
                kept.append(Constraints({}, np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)))
            continue
        res = rank(prof, index, scorer=scorer, top=None, explain=0)
        feasible[i, res.order] = True
        score[i, res.order] = res.scores
        if keep_constraints:
            kept.append(res.constraints)
    return Scores(list(profiles), index, feasible, score, kept if keep_constraints else None)
