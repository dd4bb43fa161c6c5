"""The hindsight runner: an online policy over a horizon of batches, beside the hindsight optimum.

:func:`assign_online` runs :class:`~matching.online.assigner.OnlineAssigner` week by week and reports its
ratio to :func:`hindsight` (everyone known at once), with greedy-online's and myopic-online's ratios beside it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from matching.assign import Assignment, Candidates, IntArray, assign
from matching.online.assigner import OnlineAssigner
from matching.online.batch import Batch
from matching.online.config import OnlineConfig, resolve_config

__all__ = ["OnlineResult", "assign_online", "hindsight", "run_policy"]


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


def run_policy(batches: Sequence[Batch], opening_capacity: ArrayLike, config: OnlineConfig) -> OnlineResult:
    """One online run: every batch stepped through an :class:`OnlineAssigner` in order (no comparison).

    Examples
    --------
    >>> import numpy as np
    >>> weeks = [Batch(np.array([[1.0]])), Batch(np.array([[5.0]]))]
    >>> run_policy(weeks, [1], OnlineConfig(policy="myopic")).objective
    1.0
    """
    t0 = time.perf_counter()
    oa = OnlineAssigner(opening_capacity, n_weeks=len(batches), config=config)
    weeks = [oa.step(b) for b in batches]
    pairs = np.concatenate([a.pairs for a in weeks]) if weeks else np.zeros((0, 2), dtype=np.int64)
    waits = np.concatenate([a.info["wait_weeks"] for a in weeks]) if weeks else np.zeros(0, dtype=np.int64)
    cost = float(sum(a.info["waiting_cost"] for a in weeks))
    total = float(sum(a.objective for a in weeks)) - cost
    return OnlineResult(
        config.policy,
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
        As in :func:`matching.assign.assign` (``**config.hosts`` passes an :class:`OnlineConfig`'s).

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
    config: OnlineConfig | None = None,
    *,
    compare: bool = True,
    hindsight_objective: float | None = None,
    **settings: Any,
) -> OnlineResult:
    """Run an online policy over weekly batches and compare it with the hindsight optimum.

    Parameters
    ----------
    batches : sequence of Batch
        Arrivals week by week; each batch scores its people against all ``m`` openings.
    opening_capacity : array (m,)
        Places per opening over the whole horizon.
    config : OnlineConfig, optional
        Hosts, policy, waiting list, forecast and history (default ``OnlineConfig()``).
    compare : bool
        Also compute the hindsight optimum and the greedy-online and myopic-online totals (the
        baselines run with the same hosts and waiting list, without forecast or history).
    hindsight_objective : float, optional
        Reuse a hindsight optimum already computed (see :func:`hindsight`) instead of solving again;
        also gives ``ratio`` when ``compare=False``.
    **settings
        Fields of :class:`OnlineConfig` applied over ``config`` (``policy="myopic"``, ``history=...``).

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
    cfg = resolve_config(config, settings)
    res = run_policy(batches, opening_capacity, cfg)
    hind = hindsight_objective
    if compare and hind is None:
        hind = hindsight(batches, opening_capacity, **cfg.hosts).objective
    if hind is None:
        return res

    def ratio(x: float) -> float:
        return x / hind if hind > 0 else 1.0

    out = dataclasses.replace(res, hindsight_objective=hind, ratio=ratio(res.objective))
    if not compare:
        return out
    baseline = OnlineConfig(**cfg.hosts, max_wait_weeks=cfg.max_wait_weeks, wait_cost=cfg.wait_cost)
    totals = {
        policy: res.objective
        if cfg.policy == policy
        else run_policy(batches, opening_capacity, dataclasses.replace(baseline, policy=policy)).objective
        for policy in ("greedy", "myopic")
    }
    return dataclasses.replace(
        out,
        greedy_objective=totals["greedy"],
        greedy_ratio=ratio(totals["greedy"]),
        myopic_objective=totals["myopic"],
        myopic_ratio=ratio(totals["myopic"]),
    )
