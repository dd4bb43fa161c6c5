"""Scorers: scikit-learn estimators mapping feature rows (:data:`~matching.factors.FEATURES`) to scores in [0, 1].

:class:`ExpertScorer` is a transparent linear score with documented expert weights: the positive weights sum to
1, penalties are subtracted, and the result is clipped to [0, 1]. Each factor's contribution is
``weight × value`` (negative for a penalty), so a score is read as the sum of its listed contributions (before
clipping). A factor with weight 0 (``pickup``) is a fact for a learned scorer: it never moves the expert score
and is left out of the expert's explanations. A learned scorer can replace the expert: anything with
``predict(X)`` over the same columns works with :func:`~matching.rank.rank`; one that also has
``contributions(X)`` gets per-factor explanations.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from matching.factors import FEATURES, PENALTIES

__all__ = ["DEFAULT_WEIGHTS", "ExpertScorer"]

DEFAULT_WEIGHTS: dict[str, float] = {
    # what the person brings and wants (0.57)
    "skills": 0.20,  # experience and skills against what the opening wants: the deck's cases turn on this
    "needs": 0.18,  # what the placement provides (住まい, 食事, 居場所 …) against what the person needs
    "interests": 0.10,  # wishes read from 興味 and the free text
    "conditions": 0.09,  # the setting the person's words ask for (静か, 少人数, 近所, 午前 …) and exceptions met
    # fit to the person's limits, inside the hard constraints (0.30)
    "contact": 0.08,  # 対人負荷 against comfort: the most common reason placements end early
    "readiness": 0.07,  # difficulty against the readiness step
    "distance": 0.06,
    "physical": 0.05,
    "hours": 0.04,
    # the host and the record (0.11)
    "support": 0.06,  # 声かけ, 見守り, a named contact
    "fields": 0.03,
    "outcomes": 0.02,  # hook: neutral (0.5) until outcomes are recorded
    # tie-breaker (0.02)
    "text": 0.02,
    # penalties
    "avoid": 0.30,  # an opening involving what the person named as a soft limit loses up to 0.30
    "limits": 0.45,  # … a hard limit written in words (無理, できない) up to 0.45
    # facts for a learned model, neutral for the expert (weight 0: they never change the expert score)
    "pickup": 0.0,  # the trip uses the host's 送迎; the expert's distance factor ignores the mode on purpose
}


class ExpertScorer(RegressorMixin, BaseEstimator):
    """A linear expert score over :data:`~matching.factors.FEATURES`, clipped to [0, 1].

    Parameters
    ----------
    weights : mapping of feature name to weight, optional
        Overrides of :data:`DEFAULT_WEIGHTS` (a penalty's weight is given positive and subtracted).
    random_state : int or None
        Unused (the score is deterministic); kept so every scorer shares one signature.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Signed weights in column order (penalties negative).
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> s = ExpertScorer().fit()
    >>> round(float(s.predict(np.ones((1, len(FEATURES))))[0]), 6)  # every factor perfect, the penalties fully on
    0.25
    """

    def __init__(self, weights: Mapping[str, float] | None = None, random_state: int | None = None) -> None:
        self.weights = weights
        self.random_state = random_state

    def fit(self, X: object = None, y: object = None) -> ExpertScorer:
        """No learning: resolve the weights into ``coef_`` and return ``self``."""
        w = dict(DEFAULT_WEIGHTS)
        if self.weights:
            unknown = set(self.weights) - set(FEATURES)
            if unknown:
                raise ValueError(f"未知の要素です: {sorted(unknown)} (unknown features)")
            w.update(self.weights)
        self.coef_ = np.array([-w[f] if f in PENALTIES else w[f] for f in FEATURES], dtype=np.float64)
        self.intercept_ = 0.0
        self.feature_names_in_ = np.array(FEATURES, dtype=object)
        self.n_features_in_ = len(FEATURES)
        return self

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-factor contributions ``X * coef_`` (rows sum to the unclipped score)."""
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float64) * self.coef_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in [0, 1]."""
        check_is_fitted(self, "coef_")
        return np.clip(np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_, 0.0, 1.0)
