"""Online assignment: people arrive in weekly batches and are placed against the capacity left.

Each week the arrivals are assigned *exactly* (see :mod:`matching.assign`) against the remaining
opening / host capacity; placements are final. Placing the week's arrivals as if nobody else were
coming (``policy="myopic"``) spends scarce capacity on whoever arrives first. The default policy,
``"forecast"``, keeps capacity for the better matches still to come:

* **forecast (resolve with a sampled future).** At week ``t`` of ``T`` the expected number of
  people still to arrive (``expected_arrivals``, or the mean weekly intake so far × weeks left) is
  drawn, with replacement, from everyone observed so far (a bootstrap of the arrival
  distribution). The exact assignment is solved for *this week's arrivals + the forecast people*
  against the remaining capacity, and only this week's arrivals' placements are committed. A
  forecast person who would outbid a real arrival for a scarce place thus holds that place back —
  the integral analogue of pricing each opening at its LP dual (shadow price) under the forecast.
  Cost: one exact solve of about "everyone not yet placed" per week.
* **myopic.** Exact assignment of the week's arrivals, no reservation.
* **greedy.** Greedy per week (the baseline).

:func:`assign_online` runs a policy over a list of batches and reports its ratio to the hindsight
optimum (everyone assigned at once), with greedy-online's and myopic-online's ratios beside it. The
policy never sees a batch before its week: :class:`OnlineAssigner` consumes batches one at a time.

:func:`synthetic_instance` is the generator used by the bench and tests (documented there).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from matching.assign import (
    Assignment,
    Candidates,
    FloatArray,
    IntArray,
    _as_int_vector,
    _assignment_from,
    _hosts,
    _solve,
    assign,
    candidates,
)

__all__ = [
    "Batch",
    "OnlineAssigner",
    "OnlineResult",
    "SyntheticInstance",
    "assign_online",
    "synthetic_instance",
]

Policy = Literal["forecast", "myopic", "greedy"]


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
        return cand, _as_int_vector(self.person_capacity, "person_capacity", cand.n)


class OnlineAssigner:
    """Assign weekly batches one at a time against the capacity left.

    Parameters
    ----------
    opening_capacity : int or array (m,)
        Total places per opening over the whole horizon.
    n_weeks : int
        Horizon length (number of batches expected).
    host_of, host_capacity, host_penalty
        As in :func:`matching.assign.assign`; host capacity and penalty apply cumulatively.
    policy : {"forecast", "myopic", "greedy"}
        See the module docstring.
    expected_arrivals : sequence of int, optional
        Expected arrivals per week (length ``n_weeks``); default: mean weekly intake so far.
    seed : int
        Seed of the forecast bootstrap.
    n_openings : int, optional
        Needed only when ``opening_capacity`` is a scalar.

    Examples
    --------
    >>> import numpy as np
    >>> oa = OnlineAssigner([1], n_weeks=2, policy="myopic")
    >>> oa.step(Batch(np.array([[1.0]]))).objective, oa.step(Batch(np.array([[5.0]]))).objective
    (1.0, 0.0)
    """

    def __init__(
        self,
        opening_capacity: ArrayLike,
        *,
        n_weeks: int,
        host_of: ArrayLike | None = None,
        host_capacity: int | ArrayLike | Mapping[Any, int] | None = None,
        host_penalty: float = 0.0,
        policy: Policy = "forecast",
        expected_arrivals: Sequence[int] | None = None,
        seed: int = 0,
        n_openings: int | None = None,
        forecast_discount: float = 0.05,
        forecast_scale: float = 1.0,
    ) -> None:
        if policy not in ("forecast", "myopic", "greedy"):
            raise ValueError(f"policy: expected 'forecast', 'myopic' or 'greedy', got {policy!r}")
        if n_weeks < 1:
            raise ValueError(f"n_weeks: must be >= 1, got {n_weeks}")
        if expected_arrivals is not None and len(expected_arrivals) != n_weeks:
            raise ValueError(f"expected_arrivals: length {len(expected_arrivals)} != n_weeks {n_weeks}")
        self.capacity_left = _as_int_vector(opening_capacity, "opening_capacity", n_openings).copy()
        self.m = int(self.capacity_left.size)
        self.hosts = _hosts(host_of, host_capacity, float(host_penalty), self.m)
        self.lam = float(host_penalty)
        n_h = 0 if self.hosts is None else int(self.hosts.labels.size)
        self.host_load = np.zeros(n_h, dtype=np.int64)
        self.n_weeks = n_weeks
        self.policy: Policy = policy
        self.expected_arrivals = None if expected_arrivals is None else list(expected_arrivals)
        self.rng = np.random.default_rng(seed)
        self.forecast_discount = float(forecast_discount)
        self.forecast_scale = float(forecast_scale)
        self.week = 0
        self._pool: list[tuple[IntArray, IntArray, FloatArray, IntArray]] = []  # per batch: CSR-ish
        self._seen = 0

    def _hosts_left(self) -> Any:
        if self.hosts is None or self.hosts.capacity is None:
            return self.hosts
        return dataclasses.replace(self.hosts, capacity=self.hosts.capacity - self.host_load)

    def _forecast_size(self) -> int:
        left = self.n_weeks - self.week - 1
        if left <= 0:
            return 0
        if self.expected_arrivals is not None:
            return round(self.forecast_scale * sum(self.expected_arrivals[self.week + 1 :]))
        return round(self.forecast_scale * self._seen / (self.week + 1) * left)

    def _sample_future(self, size: int) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
        """Bootstrap ``size`` people from everyone observed so far (rows 0..size-1)."""
        indptr = np.concatenate([[0], np.cumsum(np.concatenate([p[0] for p in self._pool]))])
        cols = np.concatenate([p[1] for p in self._pool])
        vals = np.concatenate([p[2] for p in self._pool])
        kk = np.concatenate([p[3] for p in self._pool])
        ids = self.rng.integers(0, kk.size, size=size)
        lengths = indptr[ids + 1] - indptr[ids]
        starts = np.repeat(indptr[ids] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        gather = starts + np.arange(int(lengths.sum()))
        rows = np.repeat(np.arange(size), lengths)
        return rows.astype(np.int64), cols[gather], vals[gather], kk[ids]

    def step(self, batch: Batch) -> Assignment:
        """Assign this week's arrivals; placements are final. Person indices are local to the batch."""
        t0 = time.perf_counter()
        if self.week >= self.n_weeks:
            raise RuntimeError(f"OnlineAssigner: all {self.n_weeks} weeks already processed")
        cand, k = batch.to_candidates(self.m)
        order = np.argsort(cand.rows, kind="stable")
        self._pool.append(
            (
                np.bincount(cand.rows, minlength=cand.n).astype(np.int64),
                cand.cols[order],
                cand.vals[order],
                k,
            )
        )
        self._seen += cand.n
        hosts = self._hosts_left()
        future = self._forecast_size() if self.policy == "forecast" else 0
        if future > 0:
            fr, fc, fv, fk = self._sample_future(future)
            joint = Candidates(
                np.concatenate([cand.rows, fr + cand.n]),
                np.concatenate([cand.cols, fc]),
                np.concatenate([cand.vals, fv * (1.0 - self.forecast_discount)]),
                cand.n + future,
                self.m,
            )
            sol = _solve(
                joint, np.concatenate([k, fk]), self.capacity_left, hosts, self.lam, self.host_load, "exact"
            )
            mine = sol.pairs[:, 0] < cand.n
            info = {"forecast_people": future, "joint_objective": sol.objective, "joint_gap": sol.gap}
            result = _assignment_from(
                sol.pairs[mine, 0],
                sol.pairs[mine, 1],
                sol.pair_scores[mine],
                cand,
                k,
                self.capacity_left,
                hosts,
                self.lam,
                self.host_load,
                "online-forecast",
                sol.solver,
                None,
                info,
            )
        else:
            method = "greedy" if self.policy == "greedy" else "exact"
            result = _solve(cand, k, self.capacity_left, hosts, self.lam, self.host_load, method)
        self.capacity_left -= result.opening_counts
        if result.host_counts is not None:
            self.host_load += result.host_counts
        self.week += 1
        object.__setattr__(result, "seconds", time.perf_counter() - t0)
        return result


@dataclass(frozen=True)
class OnlineResult:
    """Outcome of :func:`assign_online`.

    ``objective`` is the online total; ``ratio = objective / hindsight_objective`` where the
    hindsight optimum assigns everyone at once. ``greedy_*`` and ``myopic_*`` are the same figures for
    the greedy-per-week and exact-per-week-without-reservation policies. ``pairs`` uses global person
    indices (batches concatenated in order).
    """

    policy: str
    weeks: list[Assignment]
    pairs: IntArray
    objective: float
    seconds: float
    hindsight_objective: float | None = None
    ratio: float | None = None
    greedy_objective: float | None = None
    greedy_ratio: float | None = None
    myopic_objective: float | None = None
    myopic_ratio: float | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _run(
    batches: Sequence[Batch],
    opening_capacity: ArrayLike,
    policy: Policy,
    kwargs: dict[str, Any],
) -> tuple[list[Assignment], IntArray, float, float]:
    t0 = time.perf_counter()
    oa = OnlineAssigner(opening_capacity, n_weeks=len(batches), policy=policy, **kwargs)
    weeks: list[Assignment] = []
    parts: list[IntArray] = []
    offset = 0
    for b in batches:
        a = oa.step(b)
        weeks.append(a)
        parts.append(a.pairs + np.array([offset, 0]))
        offset += int(a.person_counts.size)
    pairs = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
    return weeks, pairs, float(sum(a.objective for a in weeks)), time.perf_counter() - t0


def assign_online(
    batches: Sequence[Batch],
    opening_capacity: ArrayLike,
    *,
    host_of: ArrayLike | None = None,
    host_capacity: int | ArrayLike | Mapping[Any, int] | None = None,
    host_penalty: float = 0.0,
    policy: Policy = "forecast",
    expected_arrivals: Sequence[int] | None = None,
    seed: int = 0,
    compare: bool = True,
) -> OnlineResult:
    """Run an online policy over weekly batches and compare it with the hindsight optimum.

    Parameters
    ----------
    batches : sequence of Batch
        Arrivals week by week; each batch scores its people against all ``m`` openings.
    opening_capacity : array (m,)
        Places per opening over the whole horizon.
    host_of, host_capacity, host_penalty
        As in :func:`matching.assign.assign`.
    policy : {"forecast", "myopic", "greedy"}
        Online policy (see the module docstring).
    expected_arrivals : sequence of int, optional
        Expected arrivals per week; default: the mean intake so far.
    seed : int
        Seed of the forecast bootstrap.
    compare : bool
        Also compute the hindsight optimum and the greedy-online and myopic-online totals.

    Returns
    -------
    OnlineResult

    Examples
    --------
    >>> import numpy as np
    >>> weeks = [Batch(np.array([[1.0, 0.0]])), Batch(np.array([[5.0, 0.0]]))]
    >>> r = assign_online(weeks, [1, 1], policy="myopic")
    >>> r.objective, r.hindsight_objective
    (1.0, 5.0)
    """
    kwargs: dict[str, Any] = {
        "host_of": host_of,
        "host_capacity": host_capacity,
        "host_penalty": host_penalty,
    }
    weeks, pairs, total, secs = _run(
        batches, opening_capacity, policy, {**kwargs, "expected_arrivals": expected_arrivals, "seed": seed}
    )
    if not compare:
        return OnlineResult(policy, weeks, pairs, total, secs)
    m = int(np.asarray(opening_capacity).size)
    rows, cols, vals, ks = [], [], [], []
    offset = 0
    for b in batches:
        cand, k = b.to_candidates(m)
        rows.append(cand.rows + offset)
        cols.append(cand.cols)
        vals.append(cand.vals)
        ks.append(k)
        offset += cand.n
    everyone = Candidates(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), offset, m)
    hind = assign(everyone, person_capacity=np.concatenate(ks), opening_capacity=opening_capacity, **kwargs)
    greedy_total = total if policy == "greedy" else _run(batches, opening_capacity, "greedy", kwargs)[2]
    myopic_total = total if policy == "myopic" else _run(batches, opening_capacity, "myopic", kwargs)[2]

    def ratio(x: float) -> float:
        return x / hind.objective if hind.objective > 0 else 1.0

    return OnlineResult(
        policy,
        weeks,
        pairs,
        total,
        secs,
        hindsight_objective=hind.objective,
        ratio=ratio(total),
        greedy_objective=greedy_total,
        greedy_ratio=ratio(greedy_total),
        myopic_objective=myopic_total,
        myopic_ratio=ratio(myopic_total),
        info={"hindsight_gap": hind.gap, "hindsight_seconds": hind.seconds},
    )


# --------------------------------------------------------------------------------------------------
# Synthetic generator
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SyntheticInstance:
    """A synthetic municipality: candidate scores, capacities, hosts, and positions."""

    scores: sp.csr_array  # (n, m), stored entries = feasible pairs
    person_capacity: IntArray
    opening_capacity: IntArray
    host_of: IntArray
    person_xy: FloatArray
    opening_xy: FloatArray

    def batches(self, n_weeks: int, seed: int = 0) -> list[Batch]:
        """Split people into ``n_weeks`` weekly batches in random (i.i.d.) arrival order."""
        rng = np.random.default_rng(seed)
        order = rng.permutation(self.scores.shape[0])
        return [
            Batch(self.scores[np.sort(idx)], self.person_capacity[np.sort(idx)])
            for idx in np.array_split(order, n_weeks)
        ]


def synthetic_instance(
    n_people: int = 5000,
    n_openings: int = 5000,
    *,
    candidates_per_person: int = 50,
    openings_per_host: float = 4.0,
    n_towns: int = 6,
    latent_dim: int = 6,
    person_k: Sequence[float] = (0.6, 0.3, 0.1),
    opening_cap: Sequence[float] = (0.7, 0.22, 0.08),
    supply_mismatch: float = 0.3,
    logistic: bool = True,
    seed: int = 0,
) -> SyntheticInstance:
    """Generate a realistic synthetic matching instance.

    Generator
    ---------
    * **Geography.** ``n_towns`` town centres in the unit square. People are drawn around them with
      Dirichlet weights; hosts with weights mixed ``supply_mismatch`` of the way towards an
      independent draw (supply and demand do not line up exactly), spread N(0, 0.08). Each host runs
      on average ``openings_per_host`` openings at its location.
    * **Feasibility (hard constraints).** A person can travel to their ``1.25·candidates_per_person``
      nearest openings; schedule/eligibility then removes each with probability 0.2, leaving about
      ``candidates_per_person`` feasible pairs per person (sparse: ~50 of 5,000 by default).
    * **Scores (correlated).** ``z_ij = u_i·v_j/√d + a_i + b_j − 0.8·dist_ij/reach_i + 0.3·ε``
      with person latent interests ``u_i ~ N(0, I_d)``, opening profiles ``v_j`` = 0.7·host profile
      + 0.7·own noise (openings of one host resemble each other), person readiness
      ``a_i ~ N(0, 0.3)``, opening quality ``b_j ~ N(0.2, 0.3)`` (popular openings exist), pair
      noise ``ε ~ N(0, 1)``. ``s_ij = logistic(z_ij) ∈ (0, 1)`` like a weighted sum of [0, 1]
      factors (``logistic=False`` keeps raw ``z``, about 40% of pairs then score <= 0).
    * **Capacities.** ``k_i ∈ {1, 2, …}`` with probabilities ``person_k`` (mean 1.5) and opening
      places with probabilities ``opening_cap`` (mean 1.38): total places ≈ 92% of total demand,
      tighter where people outnumber hosts — scarce, not absurdly so.
    * **Arrivals.** :meth:`SyntheticInstance.batches` splits people into weeks in uniformly random
      (i.i.d.) order.

    Examples
    --------
    >>> inst = synthetic_instance(200, 150, candidates_per_person=20, seed=1)
    >>> inst.scores.shape
    (200, 150)
    """
    rng = np.random.default_rng(seed)
    centres = rng.random((n_towns, 2))
    w_people = rng.dirichlet(np.full(n_towns, 2.0))
    w_hosts = (1 - supply_mismatch) * w_people + supply_mismatch * rng.dirichlet(np.full(n_towns, 2.0))
    person_xy = centres[rng.choice(n_towns, n_people, p=w_people)] + rng.normal(0, 0.08, (n_people, 2))
    n_hosts = max(1, round(n_openings / openings_per_host))
    host_xy = centres[rng.choice(n_towns, n_hosts, p=w_hosts)] + rng.normal(0, 0.08, (n_hosts, 2))
    host_of = np.sort(rng.integers(0, n_hosts, n_openings)).astype(np.int64)
    opening_xy = host_xy[host_of] + rng.normal(0, 0.005, (n_openings, 2))

    reach = min(n_openings, max(1, round(candidates_per_person * 1.25)))
    dist, idx = cKDTree(opening_xy).query(person_xy, k=reach)
    dist = np.asarray(dist).reshape(n_people, reach)
    idx = np.asarray(idx).reshape(n_people, reach)
    rows = np.repeat(np.arange(n_people), reach)
    cols = idx.ravel()
    rel_dist = (dist / np.maximum(dist[:, -1:], 1e-9)).ravel()
    keep = rng.random(rows.size) >= 0.2
    rows, cols, rel_dist = rows[keep], cols[keep], rel_dist[keep]

    d = latent_dim
    u = rng.normal(size=(n_people, d))
    z = rng.normal(size=(n_hosts, d))
    v = 0.7 * z[host_of] + 0.7 * rng.normal(size=(n_openings, d))
    a = rng.normal(0, 0.3, n_people)
    b = rng.normal(0.2, 0.3, n_openings)
    s = (
        np.einsum("pd,pd->p", u[rows], v[cols]) / np.sqrt(d)
        + a[rows]
        + b[cols]
        - 0.8 * rel_dist
        + 0.3 * rng.normal(size=rows.size)
    )
    if logistic:
        s = 1.0 / (1.0 + np.exp(-s))
    scores = sp.csr_array((s, (rows, cols)), shape=(n_people, n_openings))
    k = rng.choice(np.arange(1, len(person_k) + 1), n_people, p=np.asarray(person_k)).astype(np.int64)
    cap = rng.choice(np.arange(1, len(opening_cap) + 1), n_openings, p=np.asarray(opening_cap)).astype(
        np.int64
    )
    return SyntheticInstance(scores, k, cap, host_of, person_xy, opening_xy)
