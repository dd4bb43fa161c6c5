"""The online assigner: weekly batches placed one at a time against the capacity left, with a waiting list.

:class:`OnlineAssigner` is the policy itself (the model and the policies are described in
:mod:`matching.online`); :mod:`matching.online.runner` runs it over a horizon and compares it with hindsight.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import linprog

from matching.assign import (
    Assignment,
    Candidates,
    FloatArray,
    IntArray,
    as_int_vector,
    assignment_from,
    host_table,
    solve,
)
from matching.online.batch import Batch, PersonBlock, by_person
from matching.online.config import OnlineConfig, resolve_config

__all__ = ["OnlineAssigner"]


class OnlineAssigner:
    """Assign weekly batches one at a time against the capacity left, with a waiting list.

    Parameters
    ----------
    opening_capacity : int or array (m,)
        Total places per opening over the whole horizon.
    n_weeks : int
        Horizon length (number of batches expected).
    config : OnlineConfig, optional
        Hosts, policy, waiting list, forecast and history (:class:`~matching.online.config.OnlineConfig`;
        default ``OnlineConfig()``).
    n_openings : int, optional
        Needed only when ``opening_capacity`` is a scalar.
    **settings
        Fields of :class:`~matching.online.config.OnlineConfig` applied over ``config``
        (``policy="myopic"``, ``history=...``); an unknown name is a ``TypeError``.

    Attributes
    ----------
    config : OnlineConfig
        The settings in force.
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
        config: OnlineConfig | None = None,
        n_openings: int | None = None,
        **settings: Any,
    ) -> None:
        cfg = resolve_config(config, settings)
        if n_weeks < 1:
            raise ValueError(f"n_weeks: must be >= 1, got {n_weeks}")
        if cfg.expected_arrivals is not None and len(cfg.expected_arrivals) != n_weeks:
            raise ValueError(f"expected_arrivals: length {len(cfg.expected_arrivals)} != n_weeks {n_weeks}")
        self.config = cfg
        self.capacity_left = as_int_vector(opening_capacity, "opening_capacity", n_openings).copy()
        self.m = int(self.capacity_left.size)
        self.hosts = host_table(cfg.host_of, cfg.host_capacity, float(cfg.host_penalty), self.m)
        self.lam = float(cfg.host_penalty)
        n_h = 0 if self.hosts is None else int(self.hosts.labels.size)
        self.host_load = np.zeros(n_h, dtype=np.int64)
        self.n_weeks = n_weeks
        self.policy = cfg.policy
        self.max_wait_weeks = None if cfg.max_wait_weeks is None else int(cfg.max_wait_weeks)
        self.wait_cost = float(cfg.wait_cost)
        self.commit_margin = float(cfg.commit_margin)
        self.expected_arrivals = None if cfg.expected_arrivals is None else list(cfg.expected_arrivals)
        self.rng = np.random.default_rng(cfg.seed)
        self.forecast_discount = float(cfg.forecast_discount)
        self.forecast_scale = float(cfg.forecast_scale)
        self.forecast = cfg.forecast
        self.week = 0
        self._pool: list[PersonBlock] = []  # per batch: CSR-ish
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
        self._hist = self._history(cfg.history)

    def _history(self, history: Batch | Sequence[Batch] | None) -> PersonBlock:
        """``history`` as one CSR-ish block (per-person counts, cols, vals sorted by person, k)."""
        batches = [] if history is None else [history] if isinstance(history, Batch) else list(history)
        blocks = []
        for i, b in enumerate(batches):
            if not isinstance(b, Batch):
                raise TypeError(f"history[{i}]: expected a Batch, got {type(b).__name__}")
            try:
                blocks.append(by_person(*b.to_candidates(self.m)))
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

    def _sample_future(self, size: int) -> PersonBlock:
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
        sol = solve(sub, k, cap, hosts, self.lam, load, "exact")
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
        sol = solve(joint, np.concatenate([k_left, fk]), cap_left, hosts, self.lam, load, "exact")
        return sol.pairs[sol.pairs[:, 0] < n_seen]

    def _admit(self, batch: Batch) -> int:
        """Add the batch's people to the list; returns the global id of its first person."""
        cand, k = batch.to_candidates(self.m)
        self._k_all = np.concatenate([self._k_all, k.astype(np.float64)])
        self._pool.append(by_person(cand, k))
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
            sol = solve(sub, self._k_left, self.capacity_left, hosts, self.lam, self.host_load, kind)
            chosen_pairs = sol.pairs
            solver = sol.solver
        # Map the chosen (person, opening) pairs back to the live pair list.
        key_live = r * self.m + c
        order = np.argsort(key_live, kind="stable")
        pos = order[np.searchsorted(key_live, chosen_pairs[:, 0] * self.m + chosen_pairs[:, 1], sorter=order)]
        chosen = live[pos]
        result = assignment_from(
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
