"""Where the support network has holes: one module per question, pure functions over the store's networkx
projection (:meth:`graphsvc.store.port.GraphStore.projection`).

==================  ===========================================================  =================================
module              question                                                     main function → result
==================  ===========================================================  =================================
``isolation``       who has no tie, only weak ties, or ties of one kind? (アウトリーチ)  :func:`outreach_list`
``overlap``         whose needs span more sectors than their agencies? (多機関協働)     :func:`sector_overlap`
``missing_links``   which agencies share households but never meet? (支援会議)        :func:`missing_links`,
                                                                                 :func:`invite_list`
``concentration``   do hard cases land on one agency? (C市)                        :func:`hard_case_concentration`
``fragility``       who loses all support if one agency or supporter drops out?    :func:`support_fragility`
``silo``            does collaboration stay inside sectors? (縦割り)                 :func:`sector_silos`
``coverage``        which at-risk households are beyond a walk from a place to go?  :func:`walking_coverage`
``queries``         plain counts the store answers itself (Cypher in Neo4j)        —
==================  ===========================================================  =================================

:func:`analyse_all` runs them all on one graph (reading it once) and returns a :class:`GapReport`.
Every result is a frozen dataclass with ``to_dict()`` for JSON; user-facing text is Japanese first
(``*_ja``), English beside it where a sentence is built (``*_en``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import networkx as nx

from graphsvc.analysis._common import Result, gc_paused, shared_index
from graphsvc.analysis.concentration import ConcentrationResult, gini, hard_case_concentration
from graphsvc.analysis.coverage import CoverageResult, haversine_m, walking_coverage
from graphsvc.analysis.fragility import FragilityResult, support_fragility
from graphsvc.analysis.isolation import IsolationResult, outreach_list
from graphsvc.analysis.missing_links import InviteList, MissingLinksResult, invite_list, missing_links
from graphsvc.analysis.overlap import OverlapResult, sector_overlap
from graphsvc.analysis.silo import SiloResult, sector_silos
from graphsvc.domain.enums import CollaborationLevel

__all__ = [
    "ConcentrationResult",
    "CoverageResult",
    "FragilityResult",
    "GapReport",
    "InviteList",
    "IsolationResult",
    "MissingLinksResult",
    "OverlapResult",
    "SiloResult",
    "analyse_all",
    "gini",
    "hard_case_concentration",
    "haversine_m",
    "invite_list",
    "missing_links",
    "outreach_list",
    "sector_overlap",
    "sector_silos",
    "support_fragility",
    "walking_coverage",
]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class GapReport(Result):
    """Every analysis of one town graph, for the gap report and the API."""

    _derived = ("summary_ja",)

    isolation: IsolationResult
    overlap: OverlapResult
    missing_links: MissingLinksResult
    invites: InviteList
    concentration: ConcentrationResult
    fragility: FragilityResult
    silo: SiloResult
    coverage: CoverageResult
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def summary_ja(self) -> dict[str, str]:
        """One Japanese line per question."""
        return {
            "isolation": self.isolation.summary_ja,
            "overlap": self.overlap.summary_ja,
            "missing_links": self.missing_links.summary_ja,
            "invites": self.invites.summary_ja,
            "concentration": self.concentration.summary_ja,
            "fragility": self.fragility.summary_ja,
            "silo": self.silo.summary_ja,
            "coverage": self.coverage.summary_ja,
        }


def analyse_all(
    G: nx.Graph,
    *,
    reference_year: int | None = None,
    k: int = 2,
    min_level: CollaborationLevel | str = CollaborationLevel.COORDINATION,
    min_sectors: int = 2,
    include_closed: bool = False,
    share_threshold: float = 0.25,
    min_hard_cases: int = 2,
    walking_distance_m: float = 800.0,
    seats: int | None = None,
    seed: int = 0,
    structural: bool = True,
) -> GapReport:
    """Run every analysis on a town projection, reading the graph once.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    reference_year : int, optional
        For ages on the outreach list (default: this year).
    k, min_level
        Missing links: the least shared households, and the collaboration level below which a pair is listed.
    min_sectors : int
        Overlap: the least number of need sectors of a 多機関協働 candidate.
    include_closed : bool
        Count closed cases in overlap, missing links and concentration.
    share_threshold, min_hard_cases
        Concentration: flag an agency with this share of hard cases (and at least this many).
    walking_distance_m : float
        Coverage: the walking distance in metres.
    seats : int, optional
        Invites: the number of agencies to invite (all when None).
    seed : int
        Silo: the Louvain seed.
    structural : bool
        Fragility: compute articulation points and bridges.

    Returns
    -------
    GapReport
        One result per question, and ``seconds`` each took.

    Examples
    --------
    >>> import networkx as nx
    >>> r = analyse_all(nx.MultiDiGraph())
    >>> r.isolation.outreach, r.concentration.gini, r.silo.modularity, r.coverage.at_risk
    ((), 0.0, None, 0)
    >>> sorted(r.to_dict())[:3]
    ['concentration', 'coverage', 'fragility']
    """
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        seconds[name] = round(time.perf_counter() - t0, 4)
        return out

    with shared_index(), gc_paused():
        iso = timed("isolation", outreach_list, G, reference_year=reference_year)
        ovl = timed("overlap", sector_overlap, G, min_sectors=min_sectors, include_closed=include_closed)
        mls = timed(
            "missing_links", missing_links, G, k=k, min_level=min_level, include_closed=include_closed
        )
        inv = timed("invites", invite_list, G, seats=seats, links=mls)
        con = timed(
            "concentration",
            hard_case_concentration,
            G,
            share_threshold=share_threshold,
            min_hard_cases=min_hard_cases,
            include_closed=include_closed,
        )
        fra = timed("fragility", support_fragility, G, structural=structural)
        sil = timed("silo", sector_silos, G, seed=seed)
        cov = timed("coverage", walking_coverage, G, walking_distance_m=walking_distance_m)
    return GapReport(
        isolation=iso,
        overlap=ovl,
        missing_links=mls,
        invites=inv,
        concentration=con,
        fragility=fra,
        silo=sil,
        coverage=cov,
        seconds=seconds,
    )
