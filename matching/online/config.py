"""Every setting of an online run, in one place: :class:`OnlineConfig`.

:class:`~matching.online.assigner.OnlineAssigner` and :func:`~matching.online.runner.assign_online` both take
one; their keyword arguments are the same fields, applied over it (:func:`resolve_config`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from matching.online.batch import Batch

__all__ = ["FORECASTS", "POLICIES", "Forecast", "OnlineConfig", "Policy", "resolve_config"]

Policy = Literal["forecast", "myopic", "greedy"]
Forecast = Literal["scaled", "prices", "bootstrap"]
POLICIES: tuple[Policy, ...] = ("forecast", "myopic", "greedy")
FORECASTS: tuple[Forecast, ...] = ("scaled", "prices", "bootstrap")


@dataclass(frozen=True, kw_only=True, eq=False)  # eq=False: fields may hold arrays
class OnlineConfig:
    """How an online run places people: hosts, policy, waiting list, forecast and history.

    Parameters
    ----------
    host_of, host_capacity, host_penalty
        As in :func:`matching.assign.assign`; host capacity and penalty apply cumulatively over the weeks.
    policy : {"forecast", "myopic", "greedy"}, default "forecast"
        See :mod:`matching.online`.
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
        Expected arrivals per week (one per week of the horizon); default: mean weekly intake so far.
    seed : int, default 0
        Seed of the forecast bootstrap (``forecast="bootstrap"``).
    forecast : {"scaled", "prices", "bootstrap"}, default "scaled"
        ``forecast`` policy only: how the future is forecast and priced (:mod:`matching.online`).
    forecast_discount : float, default 0.05
        Forecast people's scores are multiplied by ``1 - forecast_discount`` (a person in hand is
        worth more than a forecast one); in ``[0, 1]``.
    forecast_scale : float, default 1
        Multiplies the forecast number of future arrivals (``>= 0``).
    history : Batch or sequence of Batch, optional
        ``forecast`` policy only: people who arrived in an *earlier* period (last year's 参加支援
        arrivals, say), scored against the current openings. They are pooled with this horizon's
        arrivals as the sample the future is forecast from — a larger sample, so a steadier
        forecast of each opening's demand — assuming arrivals now are distributed like then
        (stationarity). They are never placed. Without history the forecast starts from the first
        week's arrivals alone.

    Raises
    ------
    ValueError
        A setting out of range, naming it.

    Examples
    --------
    >>> cfg = OnlineConfig(max_wait_weeks=4, wait_cost=0.01)
    >>> cfg.policy, cfg.max_wait_weeks
    ('forecast', 4)
    >>> resolve_config(cfg, {"policy": "myopic"}).policy
    'myopic'
    """

    host_of: ArrayLike | None = None
    host_capacity: int | ArrayLike | Mapping[Any, int] | None = None
    host_penalty: float = 0.0
    policy: Policy = "forecast"
    max_wait_weeks: int | None = None
    wait_cost: float = 0.0
    commit_margin: float = 0.05
    expected_arrivals: Sequence[int] | None = None
    seed: int = 0
    forecast: Forecast = "scaled"
    forecast_discount: float = 0.05
    forecast_scale: float = 1.0
    history: Batch | Sequence[Batch] | None = None

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"policy: expected 'forecast', 'myopic' or 'greedy', got {self.policy!r}")
        if self.forecast not in FORECASTS:
            raise ValueError(f"forecast: expected 'scaled', 'prices' or 'bootstrap', got {self.forecast!r}")
        w = self.max_wait_weeks
        if w is not None and (isinstance(w, bool) or int(w) != w or w < 0):
            raise ValueError(f"max_wait_weeks: expected None or an int >= 0, got {w!r}")
        for name in ("wait_cost", "commit_margin", "forecast_scale"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0:
                raise ValueError(f"{name}: must be a finite number >= 0, got {v}")
        if not math.isfinite(self.forecast_discount) or not 0 <= self.forecast_discount <= 1:
            raise ValueError(f"forecast_discount: must be in [0, 1], got {self.forecast_discount}")

    @property
    def hosts(self) -> dict[str, Any]:
        """The host settings as keyword arguments of :func:`matching.assign.assign` / ``hindsight``."""
        return {
            "host_of": self.host_of,
            "host_capacity": self.host_capacity,
            "host_penalty": self.host_penalty,
        }


_FIELDS = frozenset(f.name for f in dataclasses.fields(OnlineConfig))


def resolve_config(config: OnlineConfig | None, settings: Mapping[str, Any]) -> OnlineConfig:
    """``config`` (default :class:`OnlineConfig()`) with ``settings`` (field name → value) applied over it.

    Raises
    ------
    TypeError
        A name that is not a field of :class:`OnlineConfig` (a typo must not pass silently).
    """
    unknown = sorted(set(settings) - _FIELDS)
    if unknown:
        raise TypeError(
            f"unknown online setting(s) {', '.join(unknown)}; OnlineConfig has {', '.join(sorted(_FIELDS))}"
        )
    base = config if config is not None else OnlineConfig()
    if not isinstance(base, OnlineConfig):
        raise TypeError(f"config: expected an OnlineConfig, got {type(base).__name__}")
    return dataclasses.replace(base, **settings) if settings else base
