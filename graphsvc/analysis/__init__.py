"""Where the support network has holes: one module per question, pure functions over the store's networkx
projection (:meth:`graphsvc.store.port.GraphStore.projection`).

==================  ===========================================================  =================================
module              question                                                     main function → result
==================  ===========================================================  =================================
``reachability``    which households can no agency reach through anybody? (アウトリーチ) :func:`reachability`
``isolation``       who has no tie or chain, only weak ties, or ties of one kind?     :func:`outreach_list`
``overlap``         whose needs span more sectors than their agencies? (多機関協働)     :func:`sector_overlap`
``missing_links``   which agencies share households but never meet? (支援会議)        :func:`missing_links`,
                                                                                 :func:`invite_list`
``concentration``   do hard cases land on one agency? (C市)                        :func:`hard_case_concentration`
``fragility``       who loses all support if one agency or supporter drops out?    :func:`support_fragility`
``agency_network``  is the agencies' collaboration network split, and who holds it    :func:`agency_network`
                    together alone? (多機関協働)
``silo``            does collaboration stay inside sectors? (縦割り)                 :func:`sector_silos`
``coverage``        which at-risk households are beyond a walk from a place to go?  :func:`walking_coverage`
``queries``         plain counts the store answers itself (Cypher in Neo4j)        —
==================  ===========================================================  =================================

The path questions (``reachability``, ``agency_network``) run on the :mod:`tie graph <graphsvc.analysis.tiegraph>`
(integer arrays; :class:`~graphsvc.analysis.tiegraph.TieGraphBuilder` builds one from store rows without networkx,
for towns of a million households) with the algorithms of :mod:`graphsvc.analysis.algorithms` (swappable for
Neo4j GDS).

:func:`analyse_all` runs them all on one graph (reading it once) and returns a :class:`GapReport`.
Every result is a frozen dataclass with ``to_dict()`` for JSON; user-facing text is Japanese first
(``*_ja``), English beside it where a sentence is built (``*_en``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import networkx as nx

from graphsvc.analysis.agency_network import AgencyNetworkResult, agency_network
from graphsvc.analysis.common import Result, gc_paused, shared_index
from graphsvc.analysis.concentration import ConcentrationResult, gini, hard_case_concentration
from graphsvc.analysis.coverage import CoverageResult, haversine_m, walking_coverage
from graphsvc.analysis.fragility import FragilityResult, support_fragility
from graphsvc.analysis.isolation import IsolationResult, outreach_list
from graphsvc.analysis.missing_links import InviteList, MissingLinksResult, invite_list, missing_links
from graphsvc.analysis.overlap import OverlapResult, sector_overlap
from graphsvc.analysis.reachability import DEFAULT_K, ReachabilityResult, reachability
from graphsvc.analysis.silo import SiloResult, sector_silos
from graphsvc.domain.enums import CollaborationLevel

__all__ = [
    "DEFAULT_K",
    "AgencyNetworkResult",
    "ConcentrationResult",
    "CoverageResult",
    "FragilityResult",
    "GapReport",
    "InviteList",
    "IsolationResult",
    "MissingLinksResult",
    "OverlapResult",
    "ReachabilityResult",
    "SiloResult",
    "agency_network",
    "analyse_all",
    "gini",
    "hard_case_concentration",
    "haversine_m",
    "invite_list",
    "missing_links",
    "outreach_list",
    "reachability",
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

    _derived = ("summary_ja", "findings_ja")

    isolation: IsolationResult
    overlap: OverlapResult
    missing_links: MissingLinksResult
    invites: InviteList
    concentration: ConcentrationResult
    fragility: FragilityResult
    silo: SiloResult
    coverage: CoverageResult
    reachability: ReachabilityResult
    agency_network: AgencyNetworkResult
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def findings_ja(self) -> tuple[str, ...]:
        """The report's first findings, most urgent first, in plain Japanese: a split agency network, agencies
        that hold it together alone, households no agency reaches. Agencies by name; no household, person or
        supporter is named, so every role that sees the report sees these."""
        out: list[str] = []
        net, reach = self.agency_network, self.reachability
        if net.finding_ja:
            out.append(net.finding_ja)
        if net.articulation_points:
            top = net.articulation_points[0]
            more = (
                f" (ほか{len(net.articulation_points) - 1}機関も同様)"
                if len(net.articulation_points) > 1
                else ""
            )
            out.append(top.reason_ja + more)
        if reach.households and reach.agencies == 0:
            out.append("支援関係機関が登録されていないため、どの世帯にも機関までの経路がありません")
        elif reach.clusters:
            big = reach.clusters[0]
            out.append(
                f"機関とのつながりがまったくない住民のまとまりが{len(reach.clusters)}組 "
                f"({reach.cluster_households}世帯) あります。最大のまとまり ({big.cluster_id}) は{big.households}世帯で、"
                f"入口 ({big.entry.kind_ja}) から{big.k}歩以内に {big.entry_reaches}世帯へ届きます"
            )
        unreachable = len(reach.beyond_k) + len(reach.no_tie)
        if reach.households and unreachable:
            out.append(
                f"{reach.households}世帯のうち {unreachable}世帯 ({unreachable / reach.households:.0%}) には、"
                f"{reach.k}歩以内で機関まで届く人のつながりがありません"
                + (f" (うち、つながりが一つもない世帯 {len(reach.no_tie)})" if reach.no_tie else "")
            )
        return tuple(out)

    @property
    def summary_ja(self) -> dict[str, str]:
        """One Japanese line per question."""
        return {
            "agency_network": self.agency_network.summary_ja,
            "reachability": self.reachability.summary_ja,
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
    reach_k: int = DEFAULT_K,
    ties: str = "all",
    detail_limit: int | None = 2000,
    network_min_level: CollaborationLevel | str = CollaborationLevel.AWARENESS,
    network: Any | None = None,
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
    reach_k : int
        Reachability: steps within which a chain to an agency counts as reaching a household (default 3).
    ties : {"all", "not_weak", "strong"}
        Reachability: which ties a chain may use.
    detail_limit : int, optional
        Reachability: households whose chains are kept in the result (the exports write every one).
    network_min_level : CollaborationLevel or str
        Agency network: the least collaboration level that joins two agencies (default: any record).
    network : optional
        Agency network: a store's network questions (:func:`graphsvc.store.network.network_of`, Graph Data
        Science on Neo4j) to answer its components, bridges and articulation points in the database.

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
    ['agency_network', 'concentration', 'coverage']
    >>> r.findings_ja
    ()
    """
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        seconds[name] = round(time.perf_counter() - t0, 4)
        return out

    with shared_index(), gc_paused():
        rch = timed("reachability", reachability, G, k=reach_k, ties=ties, detail_limit=detail_limit)
        iso = timed("isolation", outreach_list, G, reference_year=reference_year, reach=rch)
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
        net = timed(
            "agency_network",
            agency_network,
            G,
            min_level=network_min_level,
            modularity=sil.modularity,
            cross_sector_share=sil.cross_sector_share,
            network=network,
        )
    return GapReport(
        isolation=iso,
        overlap=ovl,
        missing_links=mls,
        invites=inv,
        concentration=con,
        fragility=fra,
        silo=sil,
        coverage=cov,
        reachability=rch,
        agency_network=net,
        seconds=seconds,
    )
