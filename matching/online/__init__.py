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

Modules
-------
* :mod:`matching.online.config`: :class:`OnlineConfig`, every setting in one place.
* :mod:`matching.online.batch`: :class:`Batch`, one week's arrivals.
* :mod:`matching.online.assigner`: :class:`OnlineAssigner`, the policy week by week.
* :mod:`matching.online.runner`: :func:`assign_online` and :func:`hindsight`.

The synthetic instances of the bench, the tests and notebook 03 come from
:func:`matching.sim.synthetic_instance` (documented there).
"""

from matching.online.assigner import OnlineAssigner
from matching.online.batch import Batch
from matching.online.config import Forecast, OnlineConfig, Policy
from matching.online.runner import OnlineResult, assign_online, hindsight, run_policy

__all__ = [
    "Batch",
    "Forecast",
    "OnlineAssigner",
    "OnlineConfig",
    "OnlineResult",
    "Policy",
    "assign_online",
    "hindsight",
    "run_policy",
]
