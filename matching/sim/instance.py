"""Synthetic assignment instances: a municipality's people, openings, hosts and candidate scores at scale.

:func:`synthetic_instance` is the generator of the assignment bench (``bench/bench_assign.py``), the tests of
:mod:`matching.assign` and :mod:`matching.online`, and notebook 03. Nothing here is real data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from matching.assign import FloatArray, IntArray
from matching.online.batch import Batch

__all__ = ["SyntheticInstance", "synthetic_instance"]


@dataclass(frozen=True)
class SyntheticInstance:
    """A synthetic municipality: candidate scores, capacities, hosts, and positions.

    ``history_scores`` / ``history_capacity`` (empty unless ``n_history`` was asked for) are people
    of an *earlier* period drawn from the same distribution as ``scores`` (the same towns, openings
    and hosts; an independent random stream), scored against the same openings: what a municipality
    knows from last year's arrivals. :meth:`history_batch` gives them as one :class:`Batch` for
    ``OnlineAssigner(history=...)``.
    """

    scores: sp.csr_array  # (n, m), stored entries = feasible pairs
    person_capacity: IntArray
    opening_capacity: IntArray
    host_of: IntArray
    person_xy: FloatArray
    opening_xy: FloatArray
    history_scores: sp.csr_array | None = None
    history_capacity: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def batches(self, n_weeks: int, seed: int = 0) -> list[Batch]:
        """Split people into ``n_weeks`` weekly batches in random (i.i.d.) arrival order."""
        rng = np.random.default_rng(seed)
        order = rng.permutation(self.scores.shape[0])
        return [
            Batch(self.scores[np.sort(idx)], self.person_capacity[np.sort(idx)])
            for idx in np.array_split(order, n_weeks)
        ]

    def history_batch(self) -> Batch:
        """The earlier period's people as one batch (raises when the instance has none)."""
        if self.history_scores is None or self.history_scores.shape[0] == 0:
            raise ValueError("history: this instance was generated with n_history=0")
        return Batch(self.history_scores, self.history_capacity)


@dataclass(frozen=True)
class _World:
    """What people are drawn against: towns, openings and their score terms (see synthetic_instance)."""

    centres: FloatArray
    w_people: FloatArray
    tree: cKDTree
    reach: int
    v: FloatArray  # opening profiles (m, d)
    b: FloatArray  # opening quality (m,)
    logistic: bool


def _pairs(world: _World, xy: FloatArray, keep_u: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Feasible pairs of people at ``xy``: the ``reach`` nearest openings, each kept when ``keep_u >= 0.2``.

    Returns rows, columns and the distance relative to the person's farthest reachable opening.
    """
    n = xy.shape[0]
    dist, idx = world.tree.query(xy, k=world.reach)
    dist = np.asarray(dist).reshape(n, world.reach)
    idx = np.asarray(idx).reshape(n, world.reach)
    rows = np.repeat(np.arange(n), world.reach)
    rel_dist = (dist / np.maximum(dist[:, -1:], 1e-9)).ravel()
    keep = keep_u >= 0.2
    return rows[keep], idx.ravel()[keep], rel_dist[keep]


def _pair_scores(
    world: _World,
    rows: IntArray,
    cols: IntArray,
    rel_dist: FloatArray,
    u: FloatArray,
    a: FloatArray,
    eps: FloatArray,
) -> FloatArray:
    """``z = u·v/√d + a + b − 0.8·rel_dist + 0.3·ε``, through the logistic unless ``logistic=False``."""
    d = u.shape[1]
    s = (
        np.einsum("pd,pd->p", u[rows], world.v[cols]) / np.sqrt(d)
        + a[rows]
        + world.b[cols]
        - 0.8 * rel_dist
        + 0.3 * eps
    )
    return 1.0 / (1.0 + np.exp(-s)) if world.logistic else s


def _history_people(
    world: _World, n: int, m: int, person_k: Sequence[float], seed: int
) -> tuple[sp.csr_array, IntArray]:
    """``n`` more people from the same distribution as the instance's, on their own random stream."""
    rng = np.random.default_rng([seed, 1])
    n_towns = world.centres.shape[0]
    xy = world.centres[rng.choice(n_towns, n, p=world.w_people)] + rng.normal(0, 0.08, (n, 2))
    rows, cols, rel_dist = _pairs(world, xy, rng.random(n * world.reach))
    u = rng.normal(size=(n, world.v.shape[1]))
    a = rng.normal(0, 0.3, n)
    s = _pair_scores(world, rows, cols, rel_dist, u, a, rng.normal(size=rows.size))
    k = rng.choice(np.arange(1, len(person_k) + 1), n, p=np.asarray(person_k)).astype(np.int64)
    return sp.csr_array((s, (rows, cols)), shape=(n, m)), k


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
    n_history: int = 0,
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
    * **History.** ``n_history`` more people drawn exactly like the others (same towns, openings,
      hosts and formulas) on a separate random stream ``(seed, 1)``, so asking for them leaves the
      instance itself unchanged: an earlier period's arrivals (:attr:`SyntheticInstance.history_scores`).

    Examples
    --------
    >>> inst = synthetic_instance(200, 150, candidates_per_person=20, seed=1)
    >>> inst.scores.shape
    (200, 150)
    >>> with_past = synthetic_instance(200, 150, candidates_per_person=20, seed=1, n_history=50)
    >>> (with_past.scores != inst.scores).nnz, with_past.history_batch().scores.shape
    (0, (50, 150))
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
    tree = cKDTree(opening_xy)
    world = _World(centres, w_people, tree, reach, np.zeros((n_openings, latent_dim)), np.zeros(0), logistic)
    rows, cols, rel_dist = _pairs(world, person_xy, rng.random(n_people * reach))

    d = latent_dim
    u = rng.normal(size=(n_people, d))
    z = rng.normal(size=(n_hosts, d))
    v = 0.7 * z[host_of] + 0.7 * rng.normal(size=(n_openings, d))
    a = rng.normal(0, 0.3, n_people)
    b = rng.normal(0.2, 0.3, n_openings)
    world = dataclasses.replace(world, v=v, b=b)
    s = _pair_scores(world, rows, cols, rel_dist, u, a, rng.normal(size=rows.size))
    scores = sp.csr_array((s, (rows, cols)), shape=(n_people, n_openings))
    k = rng.choice(np.arange(1, len(person_k) + 1), n_people, p=np.asarray(person_k)).astype(np.int64)
    cap = rng.choice(np.arange(1, len(opening_cap) + 1), n_openings, p=np.asarray(opening_cap)).astype(
        np.int64
    )
    if n_history <= 0:
        return SyntheticInstance(scores, k, cap, host_of, person_xy, opening_xy)
    h_scores, h_k = _history_people(world, n_history, n_openings, person_k, seed)
    return SyntheticInstance(scores, k, cap, host_of, person_xy, opening_xy, h_scores, h_k)
