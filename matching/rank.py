"""Rank openings for one person: hard constraints, then a score with its factors, then explanations.

:func:`rank` is the entry point (the CLI's what-if mode and the store-backed ``match --person`` both call it).
It is vectorised over an :class:`~matching.index.OpeningIndex`; build the index once per catalogue and pass it
to every call. Only the top of the ranking is explained, and exclusions are worded only when read.

:func:`rank_per_pair` computes the same ranking with a per-pair Python loop: the reference the tests compare
with and the baseline of ``bench/bench_rank.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
from rapidfuzz import fuzz

from graphsvc.domain.errors import Problem
from graphsvc.domain.records import Opportunity
from matching.constraints import Constraints, Reason, detail, evaluate, pair_reasons
from matching.explain import Factor, explain_pair
from matching.factors import (
    FEATURES,
    FeatureBuilder,
    ProfileVector,
    opening_query,
    pair_features,
    profile_vector,
)
from matching.index import OpeningIndex, OutcomeHistory
from matching.records import Opening, Profile
from matching.scorers import ExpertScorer
from matching.vocabulary import Vocabulary

__all__ = [
    "Exclusion",
    "ExclusionReason",
    "RankResult",
    "RankedItem",
    "Scorer",
    "check_references",
    "rank",
    "rank_per_pair",
]

DEFAULT_EXPLAIN = 10


class Scorer(Protocol):
    def predict(self, X: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class ExclusionReason:
    code: str
    message: str
    message_en: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Exclusion:
    """An excluded opening and every reason it fails."""

    opening_id: str
    title: str
    reasons: tuple[ExclusionReason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "opening_id": self.opening_id,
            "title": self.title,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class RankedItem:
    """One ranked opening: its score in [0, 1] and, for the explained top, its factors."""

    rank: int
    opening_id: str
    title: str
    kind: str
    score: float
    factors: tuple[Factor, ...] = ()

    def factor(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def reasons(self) -> list[str]:
        """The Japanese sentences of the factors, largest contribution first."""
        return [f.reason for f in self.factors]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "opening_id": self.opening_id,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 4),
            "factors": [f.to_dict() for f in self.factors],
        }


@dataclass
class RankResult:
    """The answer: ranked openings, exclusions with reasons, and counts per reason.

    ``ranked`` and ``exclusions`` are built when first read (ranking itself only touches arrays).
    """

    profile: Profile
    index: OpeningIndex
    pv: ProfileVector
    constraints: Constraints
    order: np.ndarray  # rows of index, best first (only the returned ones)
    scores: np.ndarray  # aligned with order
    features: np.ndarray  # aligned with order (rows of the explained top at least)
    contributions: np.ndarray | None
    weights: np.ndarray | None
    n_feasible: int
    explain: int
    warnings: list[Problem] = field(default_factory=list)
    summary: Callable[[float], Factor] | None = None  # a scorer's own first line (e.g. a probability)
    reference: np.ndarray | None = None  # a learned scorer's baseline factor values (occlusion reference)

    @property
    def n_candidates(self) -> int:
        return len(self.index)

    @property
    def empty(self) -> bool:
        return self.n_feasible == 0

    @cached_property
    def ranked(self) -> list[RankedItem]:
        out: list[RankedItem] = []
        names = list(FEATURES)
        for k, i in enumerate(self.order.tolist()):
            o = self.index.openings[i]
            factors: tuple[Factor, ...] = ()
            if k < self.explain:
                vals = self.features[k].tolist()
                contrib = (
                    self.contributions[k].tolist() if self.contributions is not None else [0.0] * len(names)
                )
                weights = self.weights.tolist() if self.weights is not None else [1.0] * len(names)
                factors = tuple(
                    explain_pair(
                        self.pv,
                        self.index,
                        i,
                        vals,
                        contrib,
                        weights,
                        names,
                        self.constraints,
                        reference=None if self.reference is None else self.reference.tolist(),
                    )
                )
                if self.summary is not None:
                    factors = (self.summary(float(self.scores[k])), *factors)
            out.append(RankedItem(k + 1, o.id, o.title, o.kind.value, float(self.scores[k]), factors))
        return out

    @cached_property
    def exclusion_counts(self) -> dict[str, int]:
        """Openings failing each reason code (an opening may count under several)."""
        return {r.value: c for r, c in self.constraints.counts().items()}

    @cached_property
    def exclusions(self) -> list[Exclusion]:
        excluded = np.flatnonzero(self.constraints.excluded)
        out = []
        for i in excluded.tolist():
            o = self.index.openings[i]
            reasons = tuple(
                ExclusionReason(r.value, r.ja, r.en, detail(r, self.pv, self.index, i, self.constraints))
                for r in self.constraints.reasons_of(i)
            )
            out.append(Exclusion(o.id, o.title, reasons))
        return out

    @property
    def message(self) -> str:
        """One line: how many were ranked, or, when nothing is left, which constraint removed how many."""
        counts = "、".join(f"{Reason(c).ja} {n}件" for c, n in self.exclusion_counts.items())
        if self.empty:
            if self.n_candidates == 0:
                return "候補の参加メニューがありません (no openings were given)"
            return f"条件に合う参加メニューがありません。除外の内訳: {counts} (no opening is left; exclusions per reason)"
        tail = f"。除外の内訳: {counts}" if counts else ""
        return f"{self.n_candidates}件中{self.n_feasible}件が条件に合います{tail}"

    def to_dict(self, *, exclusions: bool = True) -> dict[str, Any]:
        return {
            "profile_id": self.profile.id,
            "n_candidates": self.n_candidates,
            "n_feasible": self.n_feasible,
            "empty": self.empty,
            "message": self.message,
            "ranked": [r.to_dict() for r in self.ranked],
            "exclusion_counts": self.exclusion_counts,
            "exclusions": [e.to_dict() for e in self.exclusions] if exclusions else [],
            "warnings": [p.as_dict() for p in self.warnings],
        }

    def to_json(self, *, indent: int | None = 2, exclusions: bool = True) -> str:
        return json.dumps(self.to_dict(exclusions=exclusions), ensure_ascii=False, indent=indent)


_DEFAULT_SCORER: ExpertScorer | None = None
_BUILDER = FeatureBuilder().fit()


def _default_scorer() -> ExpertScorer:
    global _DEFAULT_SCORER
    if _DEFAULT_SCORER is None:
        _DEFAULT_SCORER = ExpertScorer().fit()
    return _DEFAULT_SCORER


def _as_index(
    openings: OpeningIndex | Sequence[Opening | Opportunity],
    vocabulary: Vocabulary | None,
    history: OutcomeHistory | None,
) -> OpeningIndex:
    if isinstance(openings, OpeningIndex):
        return openings
    return OpeningIndex.build(openings, vocabulary=vocabulary, history=history)


def check_references(profile: Profile, index: OpeningIndex) -> list[Problem]:
    """Ids the profile names (past placements, consent) that the candidate set does not hold."""
    ids = index.position
    hosts = index.host_id_set
    out: list[Problem] = []
    for k, pp in enumerate(profile.past_placements):
        if pp.opening_id and pp.opening_id not in ids:
            out.append(
                Problem(
                    f"過去の参加先のID「{pp.opening_id}」が候補の一覧にありません",
                    "past placement's opening id is not among the candidates",
                    field=f"past_placements.{k}.opening_id",
                    value=pp.opening_id,
                )
            )
    for hid in profile.consent.host_ids:
        if hid not in hosts:
            out.append(
                Problem(
                    f"同意した受け入れ先のID「{hid}」が候補の一覧にありません",
                    "consented host id is not among the candidates' hosts",
                    field="consent.host_ids",
                    value=hid,
                )
            )
    return out


def rank(
    profile: Profile,
    openings: OpeningIndex | Sequence[Opening | Opportunity],
    *,
    scorer: Scorer | None = None,
    top: int | None = None,
    explain: int = DEFAULT_EXPLAIN,
    vocabulary: Vocabulary | None = None,
    history: OutcomeHistory | None = None,
    builder: FeatureBuilder | None = None,
) -> RankResult:
    """Rank ``openings`` for ``profile``.

    Parameters
    ----------
    profile : Profile
    openings : OpeningIndex or sequence of Opening / domain Opportunity
        Pass a prebuilt :class:`OpeningIndex` to rank many people against one catalogue quickly.
    scorer : estimator with ``predict``, optional
        Default :class:`ExpertScorer`. ``contributions(X)`` (or a linear ``coef_``) gives per-factor
        contributions in the explanations; ``factor_weights_`` stands in for ``coef_`` as the shown weights, and
        ``summary_factor(score)`` adds a first explanation line (:class:`~matching.learn.LearnedScorer`).
    top : int, optional
        Return only the best ``top`` (all feasible openings by default).
    explain : int
        How many of the ranked openings get factors and sentences (default 10).
    vocabulary, history
        Used only when ``openings`` is not an index yet.

    Returns
    -------
    RankResult
    """
    index = _as_index(openings, vocabulary, history)
    sc: Any = scorer if scorer is not None else _default_scorer()
    fb = builder if builder is not None else _BUILDER
    pv = profile_vector(profile, index)
    cons = evaluate(pv, index)
    feasible = np.flatnonzero(~cons.excluded)
    X = fb.transform(pv, index, feasible, travel=(cons.km, cons.minutes, cons.uses_pickup))
    scores = np.asarray(sc.predict(X), dtype=np.float64) if len(feasible) else np.zeros(0)
    # best first; ties by text similarity, then catalogue order
    if top is not None and 0 < top < len(feasible):
        part = np.argpartition(-scores, top - 1)[:top]
        # include every opening tied with the cut-off so the tie-break below is complete
        cut = scores[part].min()
        part = np.flatnonzero(scores >= cut)
        sel = part[np.lexsort((feasible[part], -X[part, FEATURES.index("text")], -scores[part]))][:top]
    elif top == 0:
        sel = np.zeros(0, dtype=np.int64)
    else:
        sel = np.lexsort((feasible, -X[:, FEATURES.index("text")], -scores))
    sel = _fuzzy_tiebreak(sel, scores, X, pv, index, feasible, explain)
    contributions = None
    weights = None
    n_exp = min(explain, len(sel))
    if hasattr(sc, "contributions"):
        contributions = np.asarray(sc.contributions(X[sel[:n_exp]]))
    elif hasattr(sc, "coef_"):
        contributions = X[sel[:n_exp]] * np.ravel(sc.coef_)
    if hasattr(sc, "coef_"):
        weights = np.ravel(sc.coef_)
    elif hasattr(sc, "factor_weights_"):
        weights = np.ravel(sc.factor_weights_)
    return RankResult(
        profile=profile,
        index=index,
        pv=pv,
        constraints=cons,
        order=feasible[sel],
        scores=scores[sel],
        features=X[sel[:n_exp]],
        contributions=contributions,
        weights=weights,
        n_feasible=len(feasible),
        explain=explain,
        warnings=check_references(profile, index)
        if (profile.past_placements or profile.consent.host_ids)
        else [],
        summary=getattr(sc, "summary_factor", None),
        reference=getattr(sc, "reference_", None),
    )


def _fuzzy_tiebreak(
    sel: np.ndarray,
    scores: np.ndarray,
    X: np.ndarray,
    pv: ProfileVector,
    index: OpeningIndex,
    feasible: np.ndarray,
    explain: int,
) -> np.ndarray:
    """Within the explained top, order exact score ties by rapidfuzz similarity of the person's text to titles."""
    if not pv.positive_text or len(sel) < 2:
        return sel
    head = sel[: max(explain, 2)]
    s = scores[head]
    if not np.any(s[1:] == s[:-1]):
        return sel
    key = [
        (-float(scores[j]), -fuzz.partial_ratio(pv.positive_text, index.openings[feasible[j]].title), k)
        for k, j in enumerate(head.tolist())
    ]
    order = sorted(range(len(head)), key=lambda k: key[k])
    return np.concatenate([head[order], sel[len(head) :]])


def rank_per_pair(
    profile: Profile,
    index: OpeningIndex,
    *,
    scorer: ExpertScorer | None = None,
) -> list[tuple[str, float]]:
    """The same scores as :func:`rank`, computed one pair at a time in plain Python.

    Returns (opening id, score) for every feasible opening, best first (ties in catalogue order).
    """
    sc = scorer if scorer is not None else _default_scorer()
    coef = sc.coef_.tolist()
    pv = profile_vector(profile, index)
    q = opening_query(pv, index)
    out: list[tuple[float, int, str]] = []
    for i, o in enumerate(index.openings):
        if pair_reasons(pv, index, i):
            continue
        f = pair_features(pv, index, i, query=q)
        s = sum(a * b for a, b in zip(f, coef, strict=True))
        out.append((min(1.0, max(0.0, s)), i, o.id))
    out.sort(key=lambda t: (-t[0], t[1]))
    return [(oid, s) for s, _, oid in out]
