"""A learned scorer: calibrated probabilities of 定着 at three months, fitted on follow-up outcomes.

:class:`LearnedScorer` is a scikit-learn estimator over the same columns as
:class:`~matching.scorers.ExpertScorer` (:data:`~matching.factors.FEATURES`), so :func:`matching.rank` accepts
it as ``scorer=``. Its score is the predicted probability that a placement is still going or ended well at
three months (継続中 or 円満終了, not 早期終了), calibrated by cross-validation
(:class:`~sklearn.calibration.CalibratedClassifierCV`).

Inputs to the model are the factor values (:data:`~matching.factors.FEATURES`, ``pickup`` included) plus the
interaction columns of :data:`INTERACTIONS`, which a linear model needs and a tree model finds useful:

==================== ==================================================================================
skills_x_needs       skills · needs: a role that uses one's skill and gives what one needs
contact_gap_sq       (1 − contact)²: contact load far above comfort hurts more than linearly
support_x_difficulty support · (1 − readiness): support matters when the opening is above one's step
distance_gap_sq      (1 − distance)²: long trips hurt more than linearly
pickup_x_distance    pickup · (1 − distance): with the host's 送迎 the trip costs the person little, so the
                     model needs a separate slope for distance when it is driven
==================== ==================================================================================

Selection bias and inverse-propensity weighting. Outcomes exist only where a coordinator proposed an opening,
mostly from the expert's top five, so the training rows over-represent what the experts already like, and
correlated columns (skills/interests against text/fields) are hard to tell apart there. With
``propensity_weighting=True`` and the logged propensity of each placement (the probability with which the
system showed or proposed that opening), :meth:`LearnedScorer.fit` weights each row by
:func:`propensity_weights`: ``1 / propensity``, clipped at the 95th percentile of these weights in the training
data, then divided by their mean. The rule was fixed before looking at any held-out result:

* clipping at a percentile rather than at a fixed value such as 10: an opening proposed by uniform exploration
  among ``n`` feasible ones has ``1 / propensity ≈ n / 0.3`` (about 100–500 here), so a fixed cap of 10 would
  give every explored placement the same weight as an expert top-4 pick and undo most of the correction; the
  95th percentile does not depend on that scale and only tames the most extreme 5 %;
* self-normalising (mean weight 1) keeps the regularisation ``C`` and the calibrator at the same strength as
  an unweighted fit.

Real records carry no propensity unless the system logs it: **log, with every proposal or shown list, the
probability with which each opening was shown/proposed** (and the policy that produced it). Without
propensities the fit is unweighted (see :meth:`LearnedScorer.fit_outcomes`).

Explanations. With ``rank(..., scorer=learned)`` each explained opening gets the expert's factor sentences,
each with the change in predicted 定着 probability when that factor is set to its average in the training data
(occlusion; these need not sum to the score), and a first sentence with the probability itself
(「過去の結果から見た3か月定着の見込み 72%」).

Persistence. :meth:`LearnedScorer.save` / :meth:`LearnedScorer.load` use joblib (pickle). Loading a pickle runs
code from the file: only load files you wrote yourself, never a file received from elsewhere.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, Self

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from graphsvc.domain.enums import PlacementOutcome
from matching.explain import Factor
from matching.factors import FEATURES, FeatureBuilder, ProfileVector, profile_vector
from matching.index import OpeningIndex
from matching.records import Opening, Profile

__all__ = [
    "DEFAULT_CLIP_PERCENTILE",
    "INTERACTIONS",
    "RETENTION_FACTOR",
    "LearnedScorer",
    "outcome_labels",
    "propensity_weights",
]

INTERACTIONS: tuple[str, ...] = (
    "skills_x_needs",
    "contact_gap_sq",
    "support_x_difficulty",
    "distance_gap_sq",
    "pickup_x_distance",
)
RETENTION_FACTOR = "retention"
"""Name of the extra explanation factor carrying the predicted probability."""

_F = {name: k for k, name in enumerate(FEATURES)}
_FORMAT = "tsunagari.matching.LearnedScorer"
_FORMAT_VERSION = 1
_MIN_WEIGHT = 1e-3
C_GRID: tuple[float, ...] = tuple(float(c) for c in np.logspace(-3, 2, 11))
"""Values of ``C`` tried when ``C="cv"``: 0.001 to 100, two per decade."""
LOGISTIC_SOLVER = "newton-cholesky"
"""Newton steps with a Cholesky solve: on these few dense factor columns the same fit as lbfgs (AUC and hit@1
equal to the third decimal on the evaluation's seeds 0-7) in a third of the time across the 11 × 5 × 5 fits of
``C="cv"`` (evaluation of 800 people: 4.6-10.5 s → 3.5-3.9 s CPU per seed)."""
MIN_PER_CLASS_FOR_CV = 50
"""Below this many outcomes of either class, ``C="cv"`` uses ``C=1`` (too few for nested folds)."""
# scikit-learn 1.9 warns unless the new LogisticRegressionCV attributes and a plain-L2 l1_ratios are asked for;
# older versions lack the first option (and warn about the second).
_LRCV_OPTIONS: dict[str, Any] = (
    {"use_legacy_attributes": False, "l1_ratios": (0.0,)}
    if "use_legacy_attributes" in inspect.signature(LogisticRegressionCV).parameters
    else {}
)
DEFAULT_CLIP_PERCENTILE = 95.0
"""Inverse-propensity weights are clipped at this percentile of the training weights (fixed a priori)."""

OutcomeRow = tuple[Profile, Opening, PlacementOutcome | str]


def outcome_labels(y: Iterable[object]) -> np.ndarray:
    """1 for 定着 (continued, ended_well, True, 1), 0 for ended_early (False, 0)."""
    out = []
    for v in y:
        if isinstance(v, PlacementOutcome) or (isinstance(v, str) and not v.isdigit()):
            out.append(0 if PlacementOutcome(v) == PlacementOutcome.ENDED_EARLY else 1)
        else:
            out.append(int(bool(v)))
    return np.asarray(out, dtype=np.int64)


def propensity_weights(
    propensities: Iterable[float], clip: float | None = DEFAULT_CLIP_PERCENTILE
) -> np.ndarray:
    """Self-normalised inverse-propensity weights: ``1 / p`` clipped at the ``clip`` percentile, mean 1.

    Parameters
    ----------
    propensities : iterable of float in (0, 1]
        Probability with which the logged policy proposed each placement.
    clip : float in (0, 100] or None
        Percentile of the weights ``1 / p`` (over the given rows) above which they are clipped; ``None`` keeps
        them unclipped (high variance: a few rarely proposed rows dominate).

    Returns
    -------
    ndarray of shape (n,), mean 1
    """
    p = np.asarray(list(propensities), dtype=np.float64)
    if p.ndim != 1 or not np.isfinite(p).all() or (p <= 0).any() or (p > 1).any():
        raise ValueError("傾向スコアは 0 より大きく 1 以下の値が必要です (propensities must be in (0, 1])")
    if len(p) == 0:
        return p
    w = 1.0 / p
    if clip is not None:
        if not 0 < clip <= 100:
            raise ValueError(
                f"clip は 0 より大きく 100 以下の百分位です (clip must be a percentile, got {clip})"
            )
        w = np.minimum(w, np.percentile(w, clip))
    return w / w.mean()


def _augment(X: np.ndarray) -> np.ndarray:
    """FEATURES columns plus :data:`INTERACTIONS`."""
    s, n, c = X[:, _F["skills"]], X[:, _F["needs"]], X[:, _F["contact"]]
    gap = 1.0 - X[:, _F["distance"]]
    extra = np.column_stack(
        [
            s * n,
            (1.0 - c) ** 2,
            X[:, _F["support"]] * (1.0 - X[:, _F["readiness"]]),
            gap**2,
            X[:, _F["pickup"]] * gap,
        ]
    )
    return np.hstack([X, extra])


class LearnedScorer(BaseEstimator):
    """Calibrated probability of 定着 at three months over :data:`~matching.factors.FEATURES`.

    Parameters
    ----------
    model : {"logistic", "hgb"}
        ``logistic`` (the default): standardised logistic regression on the factors and :data:`INTERACTIONS`;
        ``hgb``: :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. Outcomes exist only where
        coordinators placed people (mostly the expert's top candidates), and ranking needs scores for every
        feasible opening: the logistic model extrapolates smoothly to rarely proposed pairs, trees stay flat
        there, and in the offline evaluation the logistic model ranks clearly better (nDCG@5 0.95 vs 0.89).
    calibration : {"sigmoid", "isotonic"}
        Calibration method of :class:`~sklearn.calibration.CalibratedClassifierCV`.
    cv : int
        Folds for calibration (each fold's model is calibrated on the held-out fold; predictions average them).
    interactions : bool
        Add the :data:`INTERACTIONS` columns.
    max_iter, learning_rate, min_samples_leaf, l2_regularization : tree-model settings (``hgb`` only).
    C : float or "cv"
        Inverse regularisation strength (``logistic`` only). ``"cv"`` (the default): chosen on the training
        data by an inner 5-fold cross-validation on log-loss over :data:`C_GRID`
        (:class:`~sklearn.linear_model.LogisticRegressionCV`, inside each calibration fold), falling back to
        1.0 when either class has fewer than :data:`MIN_PER_CLASS_FOR_CV` outcomes. Outcomes come mostly from
        the expert's top choices, so the interaction columns are correlated there; a data-chosen, usually
        stronger penalty ranks more steadily than a fixed ``C=1`` (held-out hit@1 over synthetic seeds 0–15:
        beats the expert on 14 instead of 12).
    propensity_weighting : bool
        Weight training rows by :func:`propensity_weights` when :meth:`fit` is given ``propensities`` (the
        logged probability with which each placement was proposed); without them the fit is unweighted.
    clip : float or None
        Percentile at which inverse propensities are clipped (default 95, fixed a priori; see the module
        docstring); ``None``: no clipping.
    random_state : int or None
        Seeds the folds and the tree model.

    Attributes
    ----------
    calibrated_ : CalibratedClassifierCV
    scaler_ : StandardScaler or None
        Standardisation of the inputs (``logistic`` only).
    classes_ : ndarray, ``[0, 1]`` (0 早期終了, 1 定着)
    base_rate_ : float
        Share of 定着 in the training outcomes.
    reference_ : ndarray of shape (n_features,)
        Training mean of each factor (the baseline of occlusion contributions).
    C_ : float or None
        The ``C`` in use (``logistic``): the fixed value, or the mean over calibration folds of the
        cross-validated one; ``None`` for ``hgb``.
    C_by_cv_ : bool
        Whether ``C_`` was chosen by cross-validation (``C="cv"`` with enough outcomes of each class).
    propensity_weighted_ : bool
        Whether the fit actually used inverse-propensity weights (``propensity_weighting`` and propensities given).
    factor_weights_ : ndarray of shape (n_features,)
        Mean absolute occlusion contribution per factor on the training data, normalised to sum 1 (floor
        0.001 so that every factor is still explained).
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Examples
    --------
    >>> from matching.sim.outcomes import make_outcomes
    >>> data = make_outcomes(200, 80, seed=1)
    >>> s = LearnedScorer(random_state=0).fit(data.X, data.y)
    >>> p = s.predict(data.X[:3])
    >>> bool(((p >= 0) & (p <= 1)).all())
    True
    """

    def __init__(
        self,
        model: Literal["logistic", "hgb"] = "logistic",
        calibration: Literal["sigmoid", "isotonic"] = "sigmoid",
        cv: int = 5,
        interactions: bool = True,
        max_iter: int = 150,
        learning_rate: float = 0.05,
        min_samples_leaf: int = 30,
        l2_regularization: float = 1.0,
        C: float | Literal["cv"] = "cv",
        propensity_weighting: bool = False,
        clip: float | None = DEFAULT_CLIP_PERCENTILE,
        random_state: int | None = None,
    ) -> None:
        self.model = model
        self.calibration = calibration
        self.cv = cv
        self.interactions = interactions
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.C = C
        self.propensity_weighting = propensity_weighting
        self.clip = clip
        self.random_state = random_state

    # ------------------------------------------------------------ fitting

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        Z = self._columns(X)
        return self.scaler_.transform(Z) if self.scaler_ is not None else Z

    def _columns(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(
                f"特徴量の列数が{len(FEATURES)}ではありません (expected {len(FEATURES)} feature columns, "
                f"got shape {X.shape})"
            )
        return _augment(X) if self.interactions else X

    def _base_estimator(self) -> Any:
        if self.model == "hgb":
            return HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                min_samples_leaf=self.min_samples_leaf,
                l2_regularization=self.l2_regularization,
                random_state=self.random_state,
            )
        if self.model == "logistic":  # on standardised inputs (scaler_)
            if self._cv_c:
                return LogisticRegressionCV(
                    Cs=C_GRID,
                    cv=5,
                    scoring="neg_log_loss",
                    solver=LOGISTIC_SOLVER,
                    max_iter=2000,
                    **_LRCV_OPTIONS,
                )
            return LogisticRegression(C=self._fixed_c, solver=LOGISTIC_SOLVER, max_iter=2000)
        raise ValueError(f"未知のモデルです: {self.model!r} (model must be 'hgb' or 'logistic')")

    def fit(
        self,
        X: np.ndarray,
        y: Iterable[object],
        sample_weight: np.ndarray | None = None,
        *,
        propensities: Iterable[float] | None = None,
    ) -> Self:
        """Fit on factor rows ``X`` (columns :data:`FEATURES`) and outcomes ``y``.

        Parameters
        ----------
        X : array of shape (n_samples, len(FEATURES))
        y : iterable
            :class:`PlacementOutcome` values (or their strings), or 1/0 (True/False) for 定着 / 早期終了.
        sample_weight : array, optional
            Weights passed to :class:`~sklearn.calibration.CalibratedClassifierCV` (which hands them to the
            model and to the calibrator). Multiplied by the inverse-propensity weights when those are used.
        propensities : iterable of float, optional
            Logged probability with which each placement was proposed. Used only with
            ``propensity_weighting=True`` (weights :func:`propensity_weights` with ``clip``); when omitted the fit
            is unweighted (``propensity_weighted_`` is False).

        Returns
        -------
        self
        """
        Z = self._columns(X)
        labels = outcome_labels(y)
        if len(labels) != len(Z):
            raise ValueError(
                f"X と y の件数が違います ({len(Z)} != {len(labels)}) (X and y differ in length)"
            )
        counts = np.bincount(labels, minlength=2)
        if counts.min() < self.cv:
            raise ValueError(
                f"定着と早期終了の両方がそれぞれ{self.cv}件以上必要です (got {counts.tolist()}) "
                "(need at least cv outcomes of each class)"
            )
        if isinstance(self.C, str):
            if self.C != "cv":
                raise ValueError(
                    f"C は正の数か 'cv' です (C must be a positive number or 'cv', got {self.C!r})"
                )
            self._cv_c, self._fixed_c = int(counts.min()) >= MIN_PER_CLASS_FOR_CV, 1.0
        else:
            if not (np.isfinite(self.C) and self.C > 0):
                raise ValueError(
                    f"C は正の数か 'cv' です (C must be a positive number or 'cv', got {self.C!r})"
                )
            self._cv_c, self._fixed_c = False, float(self.C)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weight is not None and weight.shape != (len(Z),):
            raise ValueError(
                f"sample_weight の件数が違います ({weight.shape} != ({len(Z)},)) (sample_weight length)"
            )
        weighted = bool(self.propensity_weighting and propensities is not None)
        if self.propensity_weighting and propensities is not None:
            ipw = propensity_weights(propensities, self.clip)
            if len(ipw) != len(Z):
                raise ValueError(
                    f"傾向スコアの件数が違います ({len(ipw)} != {len(Z)}) (propensities differ in length from X)"
                )
            weight = ipw if weight is None else weight * ipw
        # standardise here rather than in a pipeline so that sample weights reach the model as well
        self.scaler_ = StandardScaler().fit(Z) if self.model == "logistic" else None
        if self.scaler_ is not None:
            Z = self.scaler_.transform(Z)
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        cal = CalibratedClassifierCV(self._base_estimator(), method=self.calibration, cv=folds)
        if weight is not None:
            cal.fit(Z, labels, sample_weight=weight)  # routed to LogisticRegression / HGB and the calibrator
        else:
            cal.fit(Z, labels)
        self.calibrated_ = cal
        self.C_ = None
        self.C_by_cv_ = bool(self.model == "logistic" and self._cv_c)
        if self.model == "logistic":
            fitted = [c.estimator for c in cal.calibrated_classifiers_]
            self.C_ = float(np.mean([np.ravel(f.C_)[0] if self._cv_c else f.C for f in fitted]))
        self.propensity_weighted_ = weighted
        self.classes_ = np.array([0, 1])
        self.base_rate_ = float(labels.mean())
        X = np.asarray(X, dtype=np.float64)
        self.reference_ = X.mean(axis=0)
        self.feature_names_in_ = np.array(FEATURES, dtype=object)
        self.n_features_in_ = len(FEATURES)
        rng = np.random.default_rng(self.random_state)
        sample = X if len(X) <= 200 else X[rng.choice(len(X), size=200, replace=False)]
        imp = np.abs(self.contributions(sample)).mean(axis=0)
        imp = imp / imp.sum() if imp.sum() > 0 else np.full(len(FEATURES), 1.0 / len(FEATURES))
        self.factor_weights_ = np.maximum(imp, _MIN_WEIGHT)
        return self

    def fit_outcomes(
        self,
        rows: Iterable[OutcomeRow],
        *,
        builder: FeatureBuilder | None = None,
        sample_weight: np.ndarray | None = None,
        propensities: Iterable[float] | None = None,
    ) -> Self:
        """Fit from record rows ``(profile, opening, outcome)``, e.g. PLACED_IN relationships read from a graph.

        ``propensities`` (aligned with ``rows``) are the logged probabilities with which each opening was
        proposed; with ``propensity_weighting=True`` they weight the fit (see :meth:`fit`). Records without
        logged propensities (today's real records) give ``propensities=None``: the fit then falls back to
        unweighted, i.e. it learns the selection bias of whoever proposed the placements. To correct for it, the
        system should log, with every proposal or shown list, the probability with which it showed/proposed
        each opening.

        Features are computed against an index of the distinct openings in ``rows``. A profile's own past
        placement at the same opening or host is left out of its ``outcomes`` factor, so a row never sees its own
        outcome. Openings with the same id must be the same record.
        """
        X, y = self.features_of(rows, builder=builder)
        return self.fit(X, y, sample_weight=sample_weight, propensities=propensities)

    @staticmethod
    def features_of(
        rows: Iterable[OutcomeRow], *, builder: FeatureBuilder | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(features, 定着 labels) of record rows ``(profile, opening, outcome)`` (see :meth:`fit_outcomes`)."""
        rows = list(rows)
        fb = builder if builder is not None else FeatureBuilder().fit()
        openings: dict[str, Opening] = {}
        for _, o, _ in rows:
            openings.setdefault(o.id, o)
        index = OpeningIndex.build(list(openings.values()))
        pos = index.position
        cache: dict[tuple[int, str, str], ProfileVector] = {}
        pairs: list[tuple[ProfileVector, OpeningIndex, int]] = []
        for p, o, _ in rows:
            key = (id(p), o.id, o.host_id or "")
            pv = cache.get(key)
            if pv is None:
                own = [
                    pp
                    for pp in p.past_placements
                    if pp.opening_id != o.id and (o.host_id is None or pp.host_id != o.host_id)
                ]
                q = p if len(own) == len(p.past_placements) else p.model_copy(update={"past_placements": own})
                pv = cache.setdefault(key, profile_vector(q, index))
            pairs.append((pv, index, pos[o.id]))
        X = fb.transform_pairs(pairs) if pairs else np.zeros((0, len(FEATURES)))
        return X, outcome_labels(outcome for _, _, outcome in rows)

    # ------------------------------------------------------------ prediction

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Columns: P(早期終了), P(定着)."""
        check_is_fitted(self, "calibrated_")
        if len(X) == 0:
            return np.zeros((0, 2))
        return np.asarray(self.calibrated_.predict_proba(self._inputs(X)), dtype=np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in [0, 1]: the calibrated probability of 定着 (the contract :func:`matching.rank` expects)."""
        return self.predict_proba(X)[:, 1]

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-factor change in P(定着) when the factor is set to its training mean (occlusion), shape like X."""
        check_is_fitted(self, "calibrated_")
        X = np.asarray(X, dtype=np.float64)
        n, m = X.shape
        if n == 0:
            return np.zeros((0, m))
        base = self.predict(X)
        tiled = np.repeat(X[None, :, :], m, axis=0)  # (m, n, m)
        for j in range(m):
            tiled[j, :, j] = self.reference_[j]
        occluded = self.predict(tiled.reshape(m * n, m)).reshape(m, n).T
        return base[:, None] - occluded

    def summary_factor(self, p: float) -> Factor:
        """The explanation line carrying the predicted probability (placed first by :func:`matching.rank`)."""
        check_is_fitted(self, "calibrated_")
        return Factor(
            name=RETENTION_FACTOR,
            label_ja="3か月定着の見込み",
            label_en="predicted 3-month retention",
            value=float(p),
            weight=1.0,
            contribution=float(p) - self.base_rate_,
            reason=f"過去の結果から見た3か月定着の見込み {p:.0%} (過去の参加全体の平均 {self.base_rate_:.0%})",
        )

    def score_openings(self, profile: Profile, index: OpeningIndex) -> tuple[list[str], np.ndarray]:
        """(opening ids, P(定着)) for every feasible opening of ``index`` for ``profile``, best first."""
        from matching.rank import rank  # local: rank imports scorers, not the other way round

        r = rank(profile, index, scorer=self, explain=0)
        return [index.openings[i].id for i in r.order.tolist()], r.scores

    # ------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> Path:
        """Write the fitted scorer with joblib (a pickle: load it only with :meth:`load`, only your own files)."""
        check_is_fitted(self, "calibrated_")
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "sklearn": sklearn.__version__,
            "model": self,
        }
        joblib.dump(payload, p)
        return p

    @classmethod
    def load(cls, path: str | Path) -> LearnedScorer:
        """Read a scorer written by :meth:`save`.

        Security: this unpickles the file, which can run arbitrary code. Only load files you wrote yourself.
        """
        payload = joblib.load(Path(path))
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"学習済みスコアラーのファイルではありません: {path} (not a LearnedScorer file)")
        if payload.get("version") != _FORMAT_VERSION:
            raise ValueError(f"未対応の形式の版です: {payload.get('version')} (unsupported format version)")
        if payload.get("sklearn") != sklearn.__version__:
            warnings.warn(
                f"scikit-learn の版が保存時と異なります ({payload.get('sklearn')} → {sklearn.__version__}) "
                "(saved with a different scikit-learn version)",
                stacklevel=2,
            )
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError(f"学習済みスコアラーではありません: {path} (file holds {type(model).__name__})")
        return model
