"""Online assignment: people arrive in weekly batches and are placed against the capacity left.

Each week the people on the list are assigned *exactly* (see :mod:`matching.assign`) against the
remaining opening / host capacity; placements are final and use up a place for the rest of the
horizon (no capacity release).

Model: the waiting list (待機)
------------------------------
In 参加支援 a coordinator who finds no good placement for someone this week keeps them on the list
and proposes again next week. :class:`OnlineAssigner` models that:

* Person ``i`` arrives in week ``a_i`` and stays on the list until all ``k_i`` placements are made
  or week ``a_i + max_wait_weeks`` has passed (``max_wait_weeks=None``, the default: until the
  horizon ends). ``max_wait_weeks=0`` is the earlier model — placed in the arrival week or never.
* Each week the policy decides, for everyone on the list, whether to commit a placement now or
  let them wait. A placement committed ``w`` weeks after arrival is worth ``s_ij - wait_cost·w``:
  ``wait_cost`` (default 0, in score units per week) is the harm of a week on the list without
  support (motivation lost, a risk of withdrawing again). Scores from :mod:`matching.scorers` are in
  [0, 1], so ``wait_cost=0.01`` makes a 4-week wait cost 0.04. Pairs whose value has fallen to
  ``<= 0`` are no longer offered. The waiting cost of a week's placements is reported in
  ``Assignment.info["waiting_cost"]`` (``Assignment.objective`` itself stays ``Σ scores − host
  penalty``); :attr:`OnlineResult.objective` is net of it.
* Without capacity release, the hindsight optimum (everyone known at once) can place everybody in
  their arrival week, so it is the static optimum of :func:`matching.assign.assign` whatever
  ``wait_cost`` is. The online objective is always ``<=`` it.

Person ids in the weekly :class:`~matching.assign.Assignment` are *global*: people are numbered in
arrival order over all batches so far (batch 0's people first).

Policies
--------
* **forecast (plan against a forecast of the future, commit only what beats the opportunity cost).**
  At week ``t`` of ``T`` the list's pairs are planned jointly with a forecast of the people still to
  arrive, against the capacity left; a pair of a person on the list is committed now only if the
  plan places it; everyone else waits. The list's scores enter the plan as ``s_ij − wait_cost·w_i −
  commit_margin`` (no margin for a person whose last week this is), so a committed pair beats the
  opening's estimated opportunity cost (what the forecast and the rest of the list would make of the
  place) by the margin. In the last week there is no forecast: the list is flushed with one exact
  solve. With ``max_wait_weeks=0`` nobody waits (``commit_margin`` is then never applied).
  ``forecast`` chooses the forecast:

  - ``"scaled"`` (default): **every** person observed so far stands for ``w = (T−t−1)/(t+1)``
    future people (``w = Σ expected_arrivals[t+1:] / seen`` when given): capacity ``w·k_i`` and
    ``w`` per pair, scores shaded by ``1 − forecast_discount``. The LP relaxation (list + scaled
    observed people, HiGHS) is deterministic — no sampling noise — and only the list's pairs planned
    **in full** (``x = 1``) are committed; a pair the LP splits with the forecast is a tie with the
    future, and the person waits.
  - ``"prices"``: the same LP's dual prices ``p_j`` (openings) and ``q_h`` (capped hosts) as the
    opportunity cost; the list is assigned exactly at reduced scores ``s_ij − … − p_j − q_h`` and
    every positive pair is committed (capacity conflicts handled by the exact solve).
  - ``"bootstrap"``: the expected number of future people (``expected_arrivals``, or the mean
    weekly intake so far × weeks left) drawn with replacement from everyone observed so far; the
    exact assignment of list + sample is solved and the list's planned pairs committed.

  **History.** The forecast is only as good as the sample it scales up: in week 0 each opening has
  seen about a twelfth of the people who will want it, each standing for eleven. ``history`` (an
  earlier period's arrivals, scored against the current openings) is pooled with the arrivals so
  far, every pool person standing for ``future / (seen + history)`` people. It assumes arrivals
  now are distributed like then; it changes no placement directly (history people are never
  placed), only the estimate of each opening's opportunity cost.

  On the 5,000 × 5,000 bench instance (12 weeks, margin 0.05) ``"scaled"`` reaches 0.964 of the
  hindsight optimum at a mean wait of 1.1 weeks (waiting longer without history: 0.976 at 2.7
  weeks), and **0.991 at 2.5 weeks with a history of 5,000 earlier arrivals** (0.980 with 1,250;
  0.974 with people of another town that do not fit); ``"prices"`` 0.94, ``"bootstrap"`` 0.93
  (``bench/bench_assign.py``). The pricing LP ignores ``host_penalty`` (the ``"prices"`` commit
  solve applies it).
* **myopic.** Exact assignment of the list each week, every positive pair may be committed.
* **greedy.** Greedy per week (the baseline).

Myopic and greedy never benefit from the list without capacity release: a person either is placed,
or every feasible opening of theirs is full, and places never come back. So their waiting and
no-waiting totals coincide (the bench shows it); only a policy that *declines* pairs gains.

:func:`assign_online` runs a policy over a list of batches and reports its ratio to the hindsight
optimum (:func:`hindsight`), with greedy-online's and myopic-online's ratios beside it. The policy
never sees a batch before its week: :class:`OnlineAssigner` consumes batches one at a time, and its
random draws depend only on the batches seen so far.

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
from scipy.optimize import linprog
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
    "hindsight",
    "synthetic_instance",
]

Policy = Literal["forecast", "myopic", "greedy"]
Forecast = Literal["scaled", "prices", "bootstrap"]


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


def _by_person(cand: Candidates, k: IntArray) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """A batch as a CSR-like block: pairs per person, then columns and scores sorted by person, and ``k``."""
    order = np.argsort(cand.rows, kind="stable")
    counts = np.bincount(cand.rows, minlength=cand.n).astype(np.int64)
    return counts, cand.cols[order], cand.vals[order], k


class OnlineAssigner:
    """Assign weekly batches one at a time against the capacity left, with a waiting list.

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
    max_wait_weeks : int or None, default None
        How many weeks after arrival a person stays on the list; ``None``: until the horizon ends;
        ``0``: no waiting list (placed in the arrival week or never).
    wait_cost : float, default 0
        Value lost per week between arrival and placement, in score units (``>= 0``).
    commit_margin : float, default 0.05
        ``forecast`` only: a pair of someone who may still wait is committed only if its value
        beats the opening's opportunity cost under the forecast by this much (``>= 0``). Larger:
        more people wait (higher ratio, longer waits); above every score, everyone waits for the
        final flush. ``bench/bench_assign.py`` prints the ratio / mean-wait frontier.
    expected_arrivals : sequence of int, optional
        Expected arrivals per week (length ``n_weeks``); default: mean weekly intake so far.
    seed : int
        Seed of the forecast bootstrap (``forecast="bootstrap"``).
    n_openings : int, optional
        Needed only when ``opening_capacity`` is a scalar.
    forecast_discount : float, default 0.05
        Forecast people's scores are multiplied by ``1 - forecast_discount`` (a person in hand is
        worth more than a forecast one).
    forecast_scale : float, default 1
        Multiplies the forecast number of future arrivals.
    forecast : {"scaled", "prices", "bootstrap"}, default "scaled"
        ``forecast`` policy only: how the future is forecast and priced (module docstring).
    history : Batch or sequence of Batch, optional
        ``forecast`` policy only: people who arrived in an *earlier* period (last year's 参加支援
        arrivals, say), scored against the current openings. They are pooled with this horizon's
        arrivals as the sample the future is forecast from — a larger sample, so a steadier
        forecast of each opening's demand — assuming arrivals now are distributed like then
        (stationarity). They are never placed. Without history the forecast starts from the first
        week's arrivals alone.

    Attributes
    ----------
    capacity_left : ndarray (m,)
        Places still free.
    week : int
        Weeks processed so far.

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
        max_wait_weeks: int | None = None,
        wait_cost: float = 0.0,
        commit_margin: float = 0.05,
        expected_arrivals: Sequence[int] | None = None,
        seed: int = 0,
        n_openings: int | None = None,
        forecast_discount: float = 0.05,
        forecast_scale: float = 1.0,
        forecast: Forecast = "scaled",
        history: Batch | Sequence[Batch] | None = None,
    ) -> None:
        if policy not in ("forecast", "myopic", "greedy"):
            raise ValueError(f"policy: expected 'forecast', 'myopic' or 'greedy', got {policy!r}")
        if forecast not in ("scaled", "prices", "bootstrap"):
            raise ValueError(f"forecast: expected 'scaled', 'prices' or 'bootstrap', got {forecast!r}")
        if n_weeks < 1:
            raise ValueError(f"n_weeks: must be >= 1, got {n_weeks}")
        if expected_arrivals is not None and len(expected_arrivals) != n_weeks:
            raise ValueError(f"expected_arrivals: length {len(expected_arrivals)} != n_weeks {n_weeks}")
        if max_wait_weeks is not None and (int(max_wait_weeks) != max_wait_weeks or max_wait_weeks < 0):
            raise ValueError(f"max_wait_weeks: expected None or an int >= 0, got {max_wait_weeks!r}")
        for name, v in (("wait_cost", wait_cost), ("commit_margin", commit_margin)):
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"{name}: must be a finite number >= 0, got {v}")
        self.capacity_left = _as_int_vector(opening_capacity, "opening_capacity", n_openings).copy()
        self.m = int(self.capacity_left.size)
        self.hosts = _hosts(host_of, host_capacity, float(host_penalty), self.m)
        self.lam = float(host_penalty)
        n_h = 0 if self.hosts is None else int(self.hosts.labels.size)
        self.host_load = np.zeros(n_h, dtype=np.int64)
        self.n_weeks = n_weeks
        self.policy: Policy = policy
        self.max_wait_weeks = None if max_wait_weeks is None else int(max_wait_weeks)
        self.wait_cost = float(wait_cost)
        self.commit_margin = float(commit_margin)
        self.expected_arrivals = None if expected_arrivals is None else list(expected_arrivals)
        self.rng = np.random.default_rng(seed)
        self.forecast_discount = float(forecast_discount)
        self.forecast_scale = float(forecast_scale)
        self.forecast: Forecast = forecast
        self.week = 0
        self._pool: list[tuple[IntArray, IntArray, FloatArray, IntArray]] = []  # per batch: CSR-ish
        self._seen = 0
        # Everyone seen so far (global ids, arrival order) and their candidate pairs.
        self._arrival = np.zeros(0, dtype=np.int64)
        self._deadline = np.zeros(0, dtype=np.int64)
        self._k_left = np.zeros(0, dtype=np.int64)
        self._rows = np.zeros(0, dtype=np.int64)
        self._cols = np.zeros(0, dtype=np.int64)
        self._vals = np.zeros(0, dtype=np.float64)
        self._used = np.zeros(0, dtype=bool)
        self._k_all = np.zeros(0, dtype=np.float64)
        # An earlier period's people (same openings), pooled with the arrivals to forecast the future.
        self._hist = self._history(history)

    def _history(
        self, history: Batch | Sequence[Batch] | None
    ) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
        """``history`` as one CSR-ish block (per-person counts, cols, vals sorted by person, k)."""
        batches = [] if history is None else [history] if isinstance(history, Batch) else list(history)
        blocks = []
        for i, b in enumerate(batches):
            if not isinstance(b, Batch):
                raise TypeError(f"history[{i}]: expected a Batch, got {type(b).__name__}")
            try:
                blocks.append(_by_person(*b.to_candidates(self.m)))
            except ValueError as exc:
                raise ValueError(f"history[{i}]: {exc}") from exc
        if not blocks:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), empty
        counts, cols, vals, ks = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
        return counts, cols, vals, ks

    @property
    def n_history(self) -> int:
        """Number of people in ``history``."""
        return int(self._hist[3].size)

    def _forecast_pool(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """Everyone the forecast is drawn from: the arrivals so far, then ``history`` (ids after them).

        Returns pair rows, columns and scores, and every pool person's ``k`` (indexed by row id).
        """
        counts, cols, vals, k = self._hist
        if k.size == 0:
            return self._rows, self._cols, self._vals, self._k_all
        n_seen = int(self._k_all.size)
        rows = n_seen + np.repeat(np.arange(k.size), counts)
        return (
            np.concatenate([self._rows, rows]),
            np.concatenate([self._cols, cols]),
            np.concatenate([self._vals, vals]),
            np.concatenate([self._k_all, k.astype(np.float64)]),
        )

    def _future_arrivals(self) -> float:
        """Expected number of people still to arrive after this week (before ``forecast_scale``)."""
        left = self.n_weeks - self.week - 1
        if left <= 0:
            return 0.0
        if self.expected_arrivals is not None:
            return float(sum(self.expected_arrivals[self.week + 1 :]))
        return self._seen / (self.week + 1) * left

    @property
    def waiting(self) -> IntArray:
        """Global ids of the people on the list after the last week processed (placements owed)."""
        on = (self._k_left > 0) & (self._deadline >= self.week)
        return np.flatnonzero(on).astype(np.int64)

    def _hosts_left(self) -> Any:
        if self.hosts is None or self.hosts.capacity is None:
            return self.hosts
        return dataclasses.replace(self.hosts, capacity=self.hosts.capacity - self.host_load)

    def _forecast_size(self) -> int:
        return round(self.forecast_scale * self._future_arrivals())

    def _sample_future(self, size: int) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
        """Bootstrap ``size`` people from everyone observed so far and ``history`` (rows 0..size-1)."""
        pool = [*self._pool, self._hist]
        indptr = np.concatenate([[0], np.cumsum(np.concatenate([p[0] for p in pool]))])
        cols = np.concatenate([p[1] for p in pool])
        vals = np.concatenate([p[2] for p in pool])
        kk = np.concatenate([p[3] for p in pool])
        ids = self.rng.integers(0, kk.size, size=size)
        lengths = indptr[ids + 1] - indptr[ids]
        starts = np.repeat(indptr[ids] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        gather = starts + np.arange(int(lengths.sum()))
        rows = np.repeat(np.arange(size), lengths)
        return rows.astype(np.int64), cols[gather], vals[gather], kk[ids]

    def _scaled_lp(
        self,
        r: IntArray,
        c: IntArray,
        v: FloatArray,
        k_left: IntArray,
        weight: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """LP over the list (real) + every pool person (observed, then history) scaled by ``weight``.

        Returns the openings' dual prices ``p`` (m,), the hosts' dual prices ``q`` (hosts, zeros
        when uncapped) and the LP values of the list's pairs (aligned with ``r``).
        """
        cap = self.capacity_left
        host_idx = None if self.hosts is None else self.hosts.index
        host_cap = None
        if self.hosts is not None and self.hosts.capacity is not None:
            host_cap = self.hosts.capacity - self.host_load
        # The forecast: everyone in the pool, each standing for `weight` future people.
        pr, pc, pv, pk = self._forecast_pool()
        ok = (pv > 0) & (cap[pc] > 0)
        if host_cap is not None and host_idx is not None:
            ok &= host_cap[host_idx[pc]] > 0
        fr, fc = pr[ok], pc[ok]
        fv = pv[ok] * (1.0 - self.forecast_discount)
        people_l, rl = np.unique(r, return_inverse=True)
        people_f, rf = np.unique(fr, return_inverse=True)
        n_l, n_f = people_l.size, people_f.size
        opens, ci = np.unique(np.concatenate([c, fc]), return_inverse=True)
        ci = ci.ravel()
        n_p = r.size + fr.size
        col = np.arange(n_p)
        person = np.concatenate([rl.ravel(), n_l + rf.ravel()])
        blocks = [
            sp.csr_array((np.ones(n_p), (person, col)), shape=(n_l + n_f, n_p)),
            sp.csr_array((np.ones(n_p), (ci, col)), shape=(opens.size, n_p)),
        ]
        b = [
            k_left[people_l].astype(np.float64),
            weight * pk[people_f],
            cap[opens].astype(np.float64),
        ]
        hosts_used = np.zeros(0, dtype=np.int64)
        if host_cap is not None and host_idx is not None:
            h_all = host_idx[opens]
            capped = host_cap[h_all] < np.iinfo(np.int64).max // 8
            hosts_used, hi = np.unique(h_all[capped], return_inverse=True)
            rows_h = np.full(opens.size, -1, dtype=np.int64)
            rows_h[np.flatnonzero(capped)] = hi.ravel()
            hr = rows_h[ci]
            keep = hr >= 0
            blocks.append(
                sp.csr_array((np.ones(int(keep.sum())), (hr[keep], col[keep])), shape=(hosts_used.size, n_p))
            )
            b.append(host_cap[hosts_used].astype(np.float64))
        upper = np.concatenate([np.ones(r.size), np.full(fr.size, weight)])
        res = linprog(
            -np.concatenate([v, fv]),
            A_ub=sp.vstack(blocks, format="csr"),
            b_ub=np.concatenate(b),
            bounds=np.column_stack([np.zeros(n_p), upper]),
            method="highs",
        )
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"online: HiGHS pricing LP failed: {res.message}")
        duals = np.maximum(0.0, -np.asarray(res.ineqlin.marginals))
        p = np.zeros(self.m)
        p[opens] = duals[n_l + n_f : n_l + n_f + opens.size]
        q = np.zeros(0 if self.hosts is None else self.hosts.labels.size)
        q[hosts_used] = duals[n_l + n_f + opens.size :]
        return p, q, np.asarray(res.x)[: r.size]

    def _plan_scaled(
        self,
        r: IntArray,
        c: IntArray,
        v: FloatArray,
        handicap: FloatArray,
    ) -> IntArray:
        """Scaled-LP forecast: the list's pairs planned in full (``scaled``) or won at reduced scores (``prices``)."""
        weight = self.forecast_scale * self._future_arrivals() / max(self._seen + self.n_history, 1)
        p, q, x = self._scaled_lp(r, c, v - handicap, self._k_left, weight)
        reduced = v - handicap - p[c]
        if q.size:
            assert self.hosts is not None
            reduced = reduced - q[self.hosts.index[c]]
        k, cap, load = self._k_left, self.capacity_left, self.host_load
        first = np.zeros((0, 2), dtype=np.int64)
        if self.forecast == "scaled":
            # Pairs planned in full are committed (a fractional pair is a tie with the future: wait);
            # people in their last week then get the best of what is left at reduced scores.
            full = x > 1.0 - 1e-6
            first = np.column_stack([r[full], c[full]]).astype(np.int64).reshape(-1, 2)
            last = (self._deadline[r] <= self.week) & ~full
            if not last.any():
                return first
            k = k - np.bincount(first[:, 0], minlength=k.size)
            cap = cap - np.bincount(first[:, 1], minlength=self.m)
            if self.hosts is not None:
                load = load + np.bincount(self.hosts.index[first[:, 1]], minlength=load.size)
            r, c, reduced = r[last], c[last], reduced[last]
        hosts = self.hosts
        if hosts is not None and hosts.capacity is not None:
            hosts = dataclasses.replace(hosts, capacity=hosts.capacity - load)
        sub = Candidates(r, c, reduced, int(k.size), self.m)
        sol = _solve(sub, k, cap, hosts, self.lam, load, "exact")
        return np.concatenate([first, sol.pairs])

    def _plan(
        self,
        r: IntArray,
        c: IntArray,
        v: FloatArray,
        k_left: IntArray,
        cap_left: IntArray,
        load: IntArray,
        future: int,
    ) -> IntArray:
        """Exact plan for the list's pairs ``(r, c, v)`` + a bootstrap forecast; the list's planned pairs."""
        n_seen = int(k_left.size)
        fr, fc, fv, fk = self._sample_future(future)
        joint = Candidates(
            np.concatenate([r, fr + n_seen]),
            np.concatenate([c, fc]),
            np.concatenate([v, fv * (1.0 - self.forecast_discount)]),
            n_seen + future,
            self.m,
        )
        hosts = self.hosts
        if hosts is not None and hosts.capacity is not None:
            hosts = dataclasses.replace(hosts, capacity=hosts.capacity - load)
        sol = _solve(joint, np.concatenate([k_left, fk]), cap_left, hosts, self.lam, load, "exact")
        return sol.pairs[sol.pairs[:, 0] < n_seen]

    def _admit(self, batch: Batch) -> int:
        """Add the batch's people to the list; returns the global id of its first person."""
        cand, k = batch.to_candidates(self.m)
        self._k_all = np.concatenate([self._k_all, k.astype(np.float64)])
        self._pool.append(_by_person(cand, k))
        self._seen += cand.n
        first = int(self._arrival.size)
        last_week = self.n_weeks - 1
        deadline = (
            last_week if self.max_wait_weeks is None else min(self.week + self.max_wait_weeks, last_week)
        )
        self._arrival = np.concatenate([self._arrival, np.full(cand.n, self.week, dtype=np.int64)])
        self._deadline = np.concatenate([self._deadline, np.full(cand.n, deadline, dtype=np.int64)])
        self._k_left = np.concatenate([self._k_left, k])
        self._rows = np.concatenate([self._rows, cand.rows + first])
        self._cols = np.concatenate([self._cols, cand.cols])
        self._vals = np.concatenate([self._vals, cand.vals])
        self._used = np.concatenate([self._used, np.zeros(cand.rows.size, dtype=bool)])
        return first

    def step(self, batch: Batch) -> Assignment:
        """Admit this week's arrivals, then commit placements for people on the list.

        Parameters
        ----------
        batch : Batch
            This week's arrivals, scored against all ``m`` openings.

        Returns
        -------
        Assignment
            This week's committed placements. Person ids are global (arrival order over all batches
            so far); ``pair_scores`` are the raw scores; ``info`` holds ``wait_weeks`` (per pair,
            aligned with ``pairs``), ``waiting_cost``, ``first_person`` (global id of this batch's
            first person), ``on_list`` (people on the list before committing) and ``left_unplaced``
            (people whose last week this was and who still lacked a placement).

        Raises
        ------
        RuntimeError
            When called more than ``n_weeks`` times.
        """
        t0 = time.perf_counter()
        if self.week >= self.n_weeks:
            raise RuntimeError(f"OnlineAssigner: all {self.n_weeks} weeks already processed")
        t = self.week
        first = self._admit(batch)
        n_seen = int(self._arrival.size)

        # Pairs on offer: person on the list, pair unused, place free, value after waiting > 0.
        on_list = (self._k_left > 0) & (self._deadline >= t)
        wait = t - self._arrival[self._rows]
        value = self._vals - self.wait_cost * wait
        live = np.flatnonzero(
            on_list[self._rows] & ~self._used & (self.capacity_left[self._cols] > 0) & (value > 0)
        )
        r, c, v = self._rows[live], self._cols[live], value[live]
        hosts = self._hosts_left()
        future = self._forecast_size() if self.policy == "forecast" else 0
        info: dict[str, Any] = {"first_person": first, "on_list": int(np.unique(r).size)}
        method = "online-" + self.policy
        if future > 0:
            handicap = self.commit_margin * (self._deadline[r] > t)
            if self.forecast != "bootstrap":
                chosen_pairs = self._plan_scaled(r, c, v, np.asarray(handicap, dtype=np.float64))
                solver = f"highs-lp (list + observed people scaled to the horizon; {self.forecast})"
            else:
                chosen_pairs = self._plan(
                    r, c, v - handicap, self._k_left, self.capacity_left, self.host_load, future
                )
                solver = "highs-lp (list + forecast)"
            info.update(forecast_people=future)
        else:
            sub = Candidates(r, c, v, n_seen, self.m)
            kind = "greedy" if self.policy == "greedy" else "exact"
            sol = _solve(sub, self._k_left, self.capacity_left, hosts, self.lam, self.host_load, kind)
            chosen_pairs = sol.pairs
            solver = sol.solver
        # Map the chosen (person, opening) pairs back to the live pair list.
        key_live = r * self.m + c
        order = np.argsort(key_live, kind="stable")
        pos = order[np.searchsorted(key_live, chosen_pairs[:, 0] * self.m + chosen_pairs[:, 1], sorter=order)]
        chosen = live[pos]
        result = _assignment_from(
            self._rows[chosen],
            self._cols[chosen],
            self._vals[chosen],
            Candidates(r, c, self._vals[live], n_seen, self.m),
            self._k_left,
            self.capacity_left,
            hosts,
            self.lam,
            self.host_load,
            method,
            solver,
            None,
            info,
        )
        waits = t - self._arrival[result.pairs[:, 0]]
        info["wait_weeks"] = waits
        info["waiting_cost"] = float(self.wait_cost * waits.sum())

        self.capacity_left -= result.opening_counts
        if result.host_counts is not None:
            self.host_load += result.host_counts
        self._k_left -= result.person_counts
        self._used[chosen] = True
        info["left_unplaced"] = int(np.sum((self._k_left > 0) & (self._deadline == t)))
        self.week += 1
        object.__setattr__(result, "seconds", time.perf_counter() - t0)
        return result


@dataclass(frozen=True)
class OnlineResult:
    """Outcome of :func:`assign_online`.

    ``objective`` is the online total net of the waiting cost (``Σ_weeks Assignment.objective −
    waiting_cost``); ``ratio = objective / hindsight_objective`` where the hindsight optimum assigns
    everyone at once. ``greedy_*`` and ``myopic_*`` are the same figures for the greedy-per-week and
    exact-per-week policies under the same waiting-list settings. ``pairs`` uses global person
    indices (batches concatenated in order); ``wait_weeks`` is aligned with it.
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
    max_wait_weeks: int | None = None
    waiting_cost: float = 0.0
    wait_weeks: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def mean_wait_weeks(self) -> float:
        """Mean weeks between arrival and placement, over all placements (0 when none)."""
        return float(self.wait_weeks.mean()) if self.wait_weeks.size else 0.0


def _run(
    batches: Sequence[Batch],
    opening_capacity: ArrayLike,
    policy: Policy,
    kwargs: dict[str, Any],
) -> OnlineResult:
    t0 = time.perf_counter()
    oa = OnlineAssigner(opening_capacity, n_weeks=len(batches), policy=policy, **kwargs)
    weeks = [oa.step(b) for b in batches]
    pairs = np.concatenate([a.pairs for a in weeks]) if weeks else np.zeros((0, 2), dtype=np.int64)
    waits = np.concatenate([a.info["wait_weeks"] for a in weeks]) if weeks else np.zeros(0, dtype=np.int64)
    cost = float(sum(a.info["waiting_cost"] for a in weeks))
    total = float(sum(a.objective for a in weeks)) - cost
    return OnlineResult(
        policy,
        weeks,
        pairs,
        total,
        time.perf_counter() - t0,
        max_wait_weeks=oa.max_wait_weeks,
        waiting_cost=cost,
        wait_weeks=waits,
        info={"left_unplaced": int(sum(a.info["left_unplaced"] for a in weeks))},
    )


def hindsight(
    batches: Sequence[Batch],
    opening_capacity: ArrayLike,
    *,
    host_of: ArrayLike | None = None,
    host_capacity: int | ArrayLike | Mapping[Any, int] | None = None,
    host_penalty: float = 0.0,
) -> Assignment:
    """The hindsight optimum: everyone in ``batches`` assigned at once (exact, no waiting cost).

    Parameters
    ----------
    batches : sequence of Batch
        All arrivals; person ids are global (batches concatenated in order).
    opening_capacity : array (m,)
        Places per opening over the whole horizon.
    host_of, host_capacity, host_penalty
        As in :func:`matching.assign.assign`.

    Returns
    -------
    Assignment
        Every online policy's objective (net of waiting cost) is ``<=`` its ``objective``: without
        capacity release, placing everyone in their arrival week is always possible in hindsight.
    """
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
    return assign(
        everyone,
        person_capacity=np.concatenate(ks),
        opening_capacity=opening_capacity,
        host_of=host_of,
        host_capacity=host_capacity,
        host_penalty=host_penalty,
    )


def assign_online(
    batches: Sequence[Batch],
    opening_capacity: ArrayLike,
    *,
    host_of: ArrayLike | None = None,
    host_capacity: int | ArrayLike | Mapping[Any, int] | None = None,
    host_penalty: float = 0.0,
    policy: Policy = "forecast",
    max_wait_weeks: int | None = None,
    wait_cost: float = 0.0,
    commit_margin: float = 0.05,
    expected_arrivals: Sequence[int] | None = None,
    seed: int = 0,
    forecast: Forecast = "scaled",
    history: Batch | Sequence[Batch] | None = None,
    compare: bool = True,
    hindsight_objective: float | None = None,
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
    max_wait_weeks : int or None, default None
        Weeks on the list after arrival (``None``: until the horizon ends; ``0``: no waiting list).
    wait_cost : float, default 0
        Value lost per week of waiting, in score units.
    commit_margin : float, default 0.05
        ``forecast``: margin over the opening's opportunity cost needed to commit before the deadline.
    expected_arrivals : sequence of int, optional
        Expected arrivals per week; default: the mean intake so far.
    seed : int
        Seed of the forecast bootstrap.
    forecast : {"scaled", "prices", "bootstrap"}, default "scaled"
        ``forecast`` policy: the forecast / opportunity-cost estimate (module docstring).
    history : Batch or sequence of Batch, optional
        ``forecast`` policy: people of an earlier period scored against the same openings, pooled
        with the arrivals to forecast the future (see :class:`OnlineAssigner`).
    compare : bool
        Also compute the hindsight optimum and the greedy-online and myopic-online totals.
    hindsight_objective : float, optional
        Reuse a hindsight optimum already computed (see :func:`hindsight`) instead of solving again;
        also gives ``ratio`` when ``compare=False``.

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
    >>> assign_online(weeks, [1, 1], commit_margin=0.5).objective  # waits, then takes the better person
    5.0
    """
    hosts: dict[str, Any] = {"host_of": host_of, "host_capacity": host_capacity, "host_penalty": host_penalty}
    waiting = {"max_wait_weeks": max_wait_weeks, "wait_cost": wait_cost}
    res = _run(
        batches,
        opening_capacity,
        policy,
        {
            **hosts,
            **waiting,
            "commit_margin": commit_margin,
            "expected_arrivals": expected_arrivals,
            "seed": seed,
            "forecast": forecast,
            "history": history,
        },
    )
    hind = hindsight_objective
    if compare and hind is None:
        hind = hindsight(batches, opening_capacity, **hosts).objective
    if hind is None:
        return res

    def ratio(x: float) -> float:
        return x / hind if hind > 0 else 1.0

    out = dataclasses.replace(res, hindsight_objective=hind, ratio=ratio(res.objective))
    if not compare:
        return out
    greedy_total = (
        res.objective
        if policy == "greedy"
        else _run(batches, opening_capacity, "greedy", {**hosts, **waiting}).objective
    )
    myopic_total = (
        res.objective
        if policy == "myopic"
        else _run(batches, opening_capacity, "myopic", {**hosts, **waiting}).objective
    )
    return dataclasses.replace(
        out,
        greedy_objective=greedy_total,
        greedy_ratio=ratio(greedy_total),
        myopic_objective=myopic_total,
        myopic_ratio=ratio(myopic_total),
    )


# --------------------------------------------------------------------------------------------------
# Synthetic generator
# --------------------------------------------------------------------------------------------------
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
