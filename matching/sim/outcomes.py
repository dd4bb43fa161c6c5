"""Synthetic follow-up outcomes (定着 at three months) drawn from a hidden ground truth.

Nothing here is real data. :func:`make_outcomes` builds a small town: random openings
(:func:`matching.sim.openings.make_openings`), random people (:func:`make_people`), and placements with their
outcome at three months (:class:`~graphsvc.domain.enums.PlacementOutcome`: continued 継続中, ended_early
早期終了, ended_well 円満終了). "Success" (定着) is continued or ended_well; failure is ended_early.

The ground truth (:class:`GroundTruth`)
---------------------------------------
Outcomes are drawn from a logistic model that the learned scorer never sees (it sees only the sampled
outcomes). It differs from the expert weights (:data:`matching.scorers.DEFAULT_WEIGHTS`) in documented,
plausible ways:

================== ======================================== ===============================================
factor             experts (linear, clipped)                 ground truth (log-odds)
================== ======================================== ===============================================
contact load       0.10 × (1 − excess/3), saturating         −0.9·excess − 0.35·excess² (excess = load above
                                                             comfort): one step over is tolerable, two are not
host support       0.07, scaled 0.5–1 by readiness           +1.5 at readiness ≤ 2, +0.6 at 3, +0.1 at ≥ 4
                                                             (見守り・声かけ matter early on, little later)
difficulty         0.08 × (1 − gap/3)                        −0.8·gap, halved when the host offers support
distance           0.07 × (1 − km/ref) whatever the mode     −1.4·(km/ref)² on one's own, −0.2·km/ref with 送迎
needs              0.20 (the largest weight)                 +0.5 (matters, but less than experts think)
interests          0.08                                      +1.0 (やってみたい sustains participation)
skills × needs     none (a linear score cannot)              +0.9·skills·needs (a role that uses one's skill)
hours              0.05                                      −0.8·hours/max at readiness ≤ 2, else 0
avoid              −0.30                                     −1.6
text similarity    0.03                                      0 (no effect of its own)
================== ======================================== ===============================================

plus a person effect N(0, 0.5) (the family situation, health: shifts all of a person's chances) and a pair
effect N(0, 0.25) (how this person and this host get on), both unobservable. ``p_true`` (the relevance of
the ranking metrics) includes the person effect, which does not change a person's order, but not the pair
effect, which no model could know before a placement; outcomes are drawn with both. Given success, the placement
ended well (a fixed-term 職場体験 or a short stay finished, or the person moved on) with probability
0.15 + 0.45·[fixed term] + 0.05·(readiness − 1), else it is continuing.

Selection bias
--------------
Outcomes exist only where a coordinator placed someone. :func:`make_outcomes` imitates a coordinator who
mostly proposes from the top five of the expert ranking (weights 0.40, 0.25, 0.15, 0.10, 0.10) and, with
probability ``explore``, any feasible opening uniformly. Pairs the experts rank low are therefore rare in the
training data, and a model fitted on it extrapolates there; the recorded ``propensity`` of each placement
(its probability under this policy) allows inverse-propensity weighting. Real records have the same bias
without a known propensity: treat a learned model's view of rarely proposed pairs with caution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from graphsvc.domain.enums import OpportunityKind, PlacementOutcome
from matching.constraints import evaluate
from matching.factors import FEATURES, FeatureBuilder, profile_vector, reference_km
from matching.index import OpeningIndex
from matching.records import Opening, Profile
from matching.scorers import ExpertScorer
from matching.sim.openings import make_openings

__all__ = [
    "SUCCESS",
    "GroundTruth",
    "OutcomeData",
    "PersonCandidates",
    "Placement",
    "is_success",
    "make_outcomes",
    "make_people",
]

SUCCESS: frozenset[PlacementOutcome] = frozenset({PlacementOutcome.CONTINUED, PlacementOutcome.ENDED_WELL})
"""Outcomes that count as 定着 (continued 継続中 or ended_well 円満終了)."""

_F = {name: k for k, name in enumerate(FEATURES)}
_FIXED_TERM = frozenset({OpportunityKind.WORK_EXPERIENCE.value, OpportunityKind.TEMPORARY_HOUSING.value})


def is_success(outcome: PlacementOutcome | str) -> bool:
    """定着: continued or ended well (not ended early)."""
    return PlacementOutcome(outcome) in SUCCESS


# ---------------------------------------------------------------- people

_SKILLS = ["調理", "清掃", "配膳", "農作業", "パソコン入力", "イラスト", "漁業", "電話対応", "封入", "接客"]
_AVOID = ["立ち仕事", "人混み", "電話対応", "重い物", "早朝", "騒音"]
_NEEDS = [
    "住まい",
    "食事",
    "日中活動",
    "居場所",
    "収入",
    "人とのつながり",
    "役割・やりがい",
    "就労に向けた練習",
]
_FIELDS = ["地域", "農作業", "福祉", "観光", "volunteer", "ibasho"]
_MODES = ["walk", "bicycle", "bus", "car", "pickup"]
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _pick(rng: np.random.Generator, items: Sequence[str], lo: int, hi: int) -> list[str]:
    k = int(rng.integers(lo, hi + 1))
    return [items[int(i)] for i in rng.choice(len(items), size=min(k, len(items)), replace=False)]


def make_people(n: int, *, seed: int = 0, lat: float = 34.48, lon: float = 136.84) -> list[Profile]:
    """``n`` random but plausible people around (lat, lon): needs, skills, limits, travel, consent to all hosts.

    Deterministic by ``seed``. Ids are ``P-000000`` …
    """
    rng = np.random.default_rng(seed)
    out: list[Profile] = []
    for i in range(n):
        readiness = int(rng.choice([1, 2, 3, 4, 5], p=[0.15, 0.25, 0.3, 0.2, 0.1]))
        start = int(rng.integers(8, 12))
        days = sorted(int(d) for d in rng.choice(7, size=int(rng.integers(3, 7)), replace=False))
        modes = _pick(rng, _MODES, 1, 3)
        if rng.random() < 0.4 and "pickup" not in modes:
            modes.append("pickup")
        out.append(
            Profile.model_validate(
                {
                    "id": f"P-{i:06d}",
                    "needs": _pick(rng, _NEEDS, 1, 3),
                    "skills": _pick(rng, _SKILLS, 0, 3),
                    "interests": _pick(rng, _SKILLS, 0, 2),
                    "avoid": _pick(rng, _AVOID, 0, 2),
                    "time_windows": [
                        {"weekday": _DAYS[d], "opens": f"{start:02d}:00", "closes": f"{start + 9:02d}:00"}
                        for d in days
                    ],
                    "max_hours_per_session": float(rng.choice([2, 3, 4, 6, 8])),
                    "max_physical_load": int(rng.integers(2, 6)),
                    "contact_comfort": int(rng.integers(1, 6)),
                    "readiness": readiness,
                    "travel": {"modes": modes, "max_km": float(rng.choice([3.0, 5.0, 8.0, 12.0]))},
                    "home": {
                        "lat": lat + float(rng.normal(0, 0.02)),
                        "lon": lon + float(rng.normal(0, 0.02)),
                    },
                    "consent": {"all_hosts": True},
                    "preferred_fields": _pick(rng, _FIELDS, 0, 1),
                    "age": int(rng.integers(18, 70)),
                }
            )
        )
    return out


# ---------------------------------------------------------------- the hidden ground truth


@dataclass(frozen=True)
class GroundTruth:
    """The hidden model of 定着 at three months (see the module docstring for how it differs from experts).

    All coefficients are on the log-odds scale.
    """

    intercept: float = -0.2
    skills: float = 0.9
    interests: float = 1.0
    needs: float = 0.5
    skills_x_needs: float = 0.9
    contact_linear: float = 0.9
    contact_quadratic: float = 0.35
    support_by_readiness: tuple[float, float, float, float, float] = (1.5, 1.5, 0.6, 0.1, 0.1)
    difficulty_gap: float = 0.8
    distance_own: float = 1.4
    distance_pickup: float = 0.2
    physical: float = 0.3
    hours_early: float = 0.8
    avoid: float = 1.6
    fields: float = 0.3
    person_sd: float = 0.5
    pair_sd: float = 0.25

    def logit(
        self,
        profile: Profile,
        index: OpeningIndex,
        rows: np.ndarray,
        X: np.ndarray,
        km: np.ndarray,
        pickup: np.ndarray,
    ) -> np.ndarray:
        """Systematic log-odds of 定着 for ``profile`` at ``rows`` of ``index`` (features ``X``, travel ``km``)."""
        r = profile.readiness
        f = {name: X[:, k] for name, k in _F.items()}
        excess = np.maximum(0.0, index.contact_load[rows] - profile.contact_comfort)
        gap = np.maximum(0.0, index.difficulty[rows] - r)
        support = np.minimum(1.0, index.n_support[rows] / 2.0)
        rel = np.where(np.isnan(km), 0.5, np.nan_to_num(km) / reference_km(profile))
        rel = np.where(index.remote[rows] | index.relocation[rows], 0.0, rel)
        dist = np.where(pickup, -self.distance_pickup * rel, -self.distance_own * rel**2)
        h = np.nan_to_num(index.session_hours[rows], nan=2.0)
        hours = -self.hours_early * h / (profile.max_hours_per_session or 8.0) if r <= 2 else 0.0
        return (
            self.intercept
            + self.skills * f["skills"]
            + self.interests * f["interests"]
            + self.needs * f["needs"]
            + self.skills_x_needs * f["skills"] * f["needs"]
            - self.contact_linear * excess
            - self.contact_quadratic * excess**2
            + self.support_by_readiness[r - 1] * support
            - self.difficulty_gap * gap * np.where(support > 0, 0.5, 1.0)
            + dist
            + self.physical * f["physical"]
            + hours
            - self.avoid * f["avoid"]
            + self.fields * f["fields"]
        )

    def ended_well_given_success(self, profile: Profile, kind: str) -> float:
        """P(円満終了 | 定着): fixed-term placements and people further along end well more often."""
        return 0.15 + (0.45 if kind in _FIXED_TERM else 0.0) + 0.05 * (profile.readiness - 1)


# ---------------------------------------------------------------- the data set


@dataclass
class PersonCandidates:
    """One person's feasible openings, their features and their ground-truth 定着 probabilities."""

    profile: Profile
    rows: np.ndarray  # feasible rows of the index
    X: np.ndarray  # features (FEATURES columns), aligned with rows
    p_true: np.ndarray  # ground-truth probability of 定着 (without the pair effect), aligned with rows


@dataclass(frozen=True)
class Placement:
    """An observed placement: who, where, and the outcome at three months."""

    person: int  # position in OutcomeData.people
    row: int  # row of the index
    outcome: PlacementOutcome
    propensity: float  # probability the coordinator policy proposed this opening at that step


@dataclass
class OutcomeData:
    """A synthetic town: openings, people with their candidates, and observed placements."""

    index: OpeningIndex
    people: list[PersonCandidates]
    placements: list[Placement]
    seed: int
    truth: GroundTruth = field(default_factory=GroundTruth)

    @property
    def X(self) -> np.ndarray:
        """Features of the observed placements (rows of :data:`FEATURES`)."""
        if not self.placements:
            return np.zeros((0, len(FEATURES)))
        return np.vstack([self._x_of(p) for p in self.placements])

    def _x_of(self, p: Placement) -> np.ndarray:
        pc = self.people[p.person]
        k = int(np.flatnonzero(pc.rows == p.row)[0])
        return pc.X[k]

    @property
    def y(self) -> np.ndarray:
        """1 for 定着 (continued or ended well), 0 for ended early."""
        return np.array([1 if is_success(p.outcome) else 0 for p in self.placements], dtype=np.int64)

    @property
    def groups(self) -> np.ndarray:
        """The person of each placement (for splitting by person)."""
        return np.array([p.person for p in self.placements], dtype=np.int64)

    def rows(self, people: Sequence[int] | None = None) -> list[tuple[Profile, Opening, PlacementOutcome]]:
        """The placements as record rows (profile, opening, outcome), as a store would give them."""
        keep = None if people is None else set(people)
        return [
            (self.people[p.person].profile, self.index.openings[p.row], p.outcome)
            for p in self.placements
            if keep is None or p.person in keep
        ]


_TOP_WEIGHTS = np.array([0.40, 0.25, 0.15, 0.10, 0.10])


def make_outcomes(
    n_people: int = 600,
    n_openings: int = 200,
    *,
    seed: int = 0,
    explore: float = 0.3,
    max_placements: int = 3,
    truth: GroundTruth | None = None,
) -> OutcomeData:
    """Generate a synthetic town with placements and outcomes at three months; deterministic by ``seed``.

    Parameters
    ----------
    n_people, n_openings : int
        Size of the town.
    seed : int
        Seeds openings, people, the coordinator's choices and the outcomes.
    explore : float
        Probability that a proposal is uniform among feasible openings instead of from the expert top five.
    max_placements : int
        Each person has 1 … ``max_placements`` placements (distinct openings).
    truth : GroundTruth, optional
        The hidden model (default coefficients when omitted).

    Returns
    -------
    OutcomeData
    """
    gt = truth or GroundTruth()
    rng = np.random.default_rng([seed, 7])
    index = OpeningIndex.build(make_openings(n_openings, seed=seed))
    profiles = make_people(n_people, seed=seed + 1)
    fb = FeatureBuilder().fit()
    expert = ExpertScorer().fit()
    people: list[PersonCandidates] = []
    placements: list[Placement] = []
    for pi, profile in enumerate(profiles):
        pv = profile_vector(profile, index)
        cons = evaluate(pv, index)
        rows = np.flatnonzero(~cons.excluded)
        X = fb.transform(pv, index, rows, travel=(cons.km, cons.minutes, cons.uses_pickup))
        km = cons.km[rows]
        pickup = cons.uses_pickup[rows]
        person_effect = rng.normal(0.0, gt.person_sd)
        pair_effect = rng.normal(0.0, gt.pair_sd, size=len(rows))
        logit = gt.logit(profile, index, rows, X, km, pickup) + person_effect
        p_true = 1.0 / (1.0 + np.exp(-logit))
        p_draw = 1.0 / (1.0 + np.exp(-(logit + pair_effect)))
        people.append(PersonCandidates(profile, rows, X, p_true))
        if len(rows) == 0:
            continue
        expert_order = np.lexsort((rows, -expert.predict(X)))
        remaining = list(range(len(rows)))
        for _ in range(int(rng.integers(1, max_placements + 1))):
            if not remaining:
                break
            top = [k for k in expert_order.tolist() if k in remaining][: len(_TOP_WEIGHTS)]
            w = _TOP_WEIGHTS[: len(top)] / _TOP_WEIGHTS[: len(top)].sum()
            prob = {k: explore / len(remaining) for k in remaining}
            for k, wk in zip(top, w, strict=True):
                prob[k] += (1.0 - explore) * float(wk)
            keys = list(prob)
            k = int(keys[int(rng.choice(len(keys), p=np.array([prob[q] for q in keys])))])
            remaining.remove(k)
            success = rng.random() < p_draw[k]
            kind = index.openings[int(rows[k])].kind.value
            if not success:
                outcome = PlacementOutcome.ENDED_EARLY
            elif rng.random() < gt.ended_well_given_success(profile, kind):
                outcome = PlacementOutcome.ENDED_WELL
            else:
                outcome = PlacementOutcome.CONTINUED
            placements.append(Placement(pi, int(rows[k]), outcome, float(prob[k])))
    return OutcomeData(index=index, people=people, placements=placements, seed=seed, truth=gt)
