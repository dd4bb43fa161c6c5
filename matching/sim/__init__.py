"""Simulation: synthetic people, openings, outcomes and assignment instances (nothing here is real data).

What the product runs on invented data rather than a town's records: ``tsunagari evaluate``
(:mod:`matching.evaluate` on :func:`make_outcomes`), the benchmarks in ``bench/`` and notebook 03.

* :mod:`matching.sim.openings`: :func:`make_openings`, :func:`make_profile` (plausible openings, a typical person).
* :mod:`matching.sim.outcomes`: :func:`make_outcomes`, :func:`make_people`, the hidden :class:`GroundTruth` of
  follow-up outcomes at three months and the coordinator policy that selects which placements are observed.
* :mod:`matching.sim.instance`: :func:`synthetic_instance`, scores and capacities at scale for
  :mod:`matching.assign` and :mod:`matching.online`.

Names are loaded on first use, so importing one generator does not import the others' dependencies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matching.sim.instance import SyntheticInstance, synthetic_instance
    from matching.sim.openings import make_openings, make_profile
    from matching.sim.outcomes import (
        SUCCESS,
        GroundTruth,
        OutcomeData,
        PersonCandidates,
        Placement,
        is_success,
        make_outcomes,
        make_people,
    )

_EXPORTS = {
    "SyntheticInstance": "instance",
    "synthetic_instance": "instance",
    "make_openings": "openings",
    "make_profile": "openings",
    "SUCCESS": "outcomes",
    "GroundTruth": "outcomes",
    "OutcomeData": "outcomes",
    "PersonCandidates": "outcomes",
    "Placement": "outcomes",
    "is_success": "outcomes",
    "make_outcomes": "outcomes",
    "make_people": "outcomes",
}
__all__ = [
    "SUCCESS",
    "GroundTruth",
    "OutcomeData",
    "PersonCandidates",
    "Placement",
    "SyntheticInstance",
    "is_success",
    "make_openings",
    "make_outcomes",
    "make_people",
    "make_profile",
    "synthetic_instance",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
