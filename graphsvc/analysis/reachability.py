"""Who no agency reaches through anybody: the shortest chain of people from every household to an agency, a formal
supporter and an informal supporter, and the groups of households no agency touches (アウトリーチ).

Chains run over the :mod:`tie graph <graphsvc.analysis.tiegraph>` in the direction a message travels from the
agency (or supporter) to the household: 包括 → 世帯H1 (支援を受ける) → 世帯H2 (近所) → 世帯H3 (親族) is a chain of
three steps, and H1 and H2 are the ones who would carry the word. Among chains of the same length the one with
the fewest weak ties is chosen, then the fewest of unknown strength; each step says its tie and its strength
(強い / 弱い / 不明; a tie recorded without a strength is 不明, never 弱い).

For every household:

==================  ==============================================================================
status              meaning
==================  ==============================================================================
``direct``          tied to an agency itself (one step)
``indirect``        no tie of its own to an agency, but a chain of 2 … k steps
``beyond_k``        ties, but the nearest agency is more than ``k`` steps away
``unreachable``     ties, but no chain from any agency at all
``no_tie``          no tie to anyone outside the household
==================  ==============================================================================

An *isolated cluster* (孤立したまとまり) is a connected group (ties taken both ways) with no agency in it, at least
one household and at least two members: neighbours, kin and friends who know each other and no one else. Its
*entry point* is the member from which a message reaches the most of its households within ``k`` steps (then the
fewest steps in all; a supporter or a venue before a household) — whom outreach staff should approach first.

Which ties count is a parameter: ``ties="all"`` (default), ``"not_weak"`` (leave out ties known to be weak) or
``"strong"`` (only ties known to be strong).

Store-side: households with no relationship at all are a plain Cypher filter (see
:mod:`graphsvc.analysis.isolation`); the components and the breadth-first search run on the tie graph in C
(``scipy.sparse.csgraph``), or in Neo4j GDS (``gds.wcc``, ``gds.bfs``) through
:class:`graphsvc.analysis.algorithms.NetworkAlgorithms`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from graphsvc.analysis.algorithms import LOCAL, NetworkAlgorithms
from graphsvc.analysis.common import Result, cached
from graphsvc.analysis.tiegraph import (
    AGENCY,
    FORMAL,
    HOST,
    HOUSEHOLD,
    INFORMAL,
    KIND_JA,
    KINDS,
    PERSON,
    STRONG,
    TIES,
    TRUST,
    TRUST_JA,
    UNKNOWN,
    VENUE,
    WEAK,
    TieGraph,
    TieQuality,
    tie_graph,
)

__all__ = [
    "DEFAULT_K",
    "STATUS_JA",
    "TARGETS",
    "Chain",
    "ChainStep",
    "HouseholdReach",
    "IsolatedCluster",
    "PathNode",
    "ReachabilityResult",
    "hop_rows",
    "reachability",
]

DEFAULT_K = 3
"""Steps within which a chain to an agency counts as reaching the household."""

TARGETS: dict[str, tuple[str, str]] = {
    "agency": ("支援関係機関", "agency"),
    "formal": ("支援者 (民生委員・専門職など)", "formal supporter"),
    "informal": ("支援者 (住民)", "informal supporter"),
}
"""What chains run to: code → (Japanese, English)."""


def hop_rows(hops: Mapping[str, Mapping[str, int]], k: int) -> list[dict[str, Any]]:
    """Households by steps to the nearest agency / formal / informal supporter, as table rows: ``cells`` for 1 … k
    steps, ``beyond`` (more than k) and ``none`` (no chain). Reads the ``hops`` of a result or of its JSON (keys
    are step counts as strings, and ``none``), so every table has the same columns whatever steps occur.

    Examples
    --------
    >>> hop_rows({"agency": {"1": 4, "3": 1, "5": 2, "none": 1}}, 3)[0]
    {'target': 'agency', 'label': '支援関係機関', 'cells': [4, 0, 1], 'beyond': 2, 'none': 1}
    """
    rows = []
    for target, (ja, _) in TARGETS.items():
        h = hops.get(target) or {}
        rows.append(
            {
                "target": target,
                "label": ja,
                "cells": [int(h.get(str(i), 0)) for i in range(1, k + 1)],
                "beyond": sum(int(v) for key, v in h.items() if key != "none" and int(key) > k),
                "none": int(h.get("none", 0)),
            }
        )
    return rows


STATUS_JA: dict[str, str] = {
    "direct": "機関と直接つながる",
    "indirect": "人づてに機関へ届く",
    "beyond_k": "機関まで遠い",
    "unreachable": "機関への経路がない",
    "no_tie": "つながりがない",
}
_STATUS_ORDER = {"unreachable": 0, "beyond_k": 1, "indirect": 2, "direct": 3, "no_tie": 4}
_ENTRY_PREFERENCE = {FORMAL: 0, INFORMAL: 1, VENUE: 2, HOST: 3, HOUSEHOLD: 4, PERSON: 5, AGENCY: 6}
_SMALL_CLUSTER = 64
"""Clusters up to this many nodes try every member as the entry point; larger ones the best-connected few."""
_LARGE_CLUSTER = 20_000
"""Clusters above this many nodes search from their candidates in C over the whole graph."""


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class PathNode(Result):
    """A node on a chain: households and persons by id only, agencies and supporters by name too."""

    _derived = ("display_ja",)

    label: str
    id: str
    name: str | None
    kind: str
    kind_ja: str

    @property
    def display_ja(self) -> str:
        if self.name:
            return self.name
        return f"世帯{self.id}" if self.kind == "household" else f"{self.kind_ja} {self.id}"


@dataclass(frozen=True)
class ChainStep(Result):
    """One step of a chain: who passes the message (``carrier``) to whom (``to``), by which tie, how trusted,
    and through which members of the households at either end."""

    carrier: PathNode
    to: PathNode
    tie: str
    tie_ja: str
    trust: str
    trust_ja: str
    via_carrier: str | None
    via_to: str | None


def _worst(trusts: list[int]) -> int:
    if WEAK in trusts:
        return WEAK
    if UNKNOWN in trusts:
        return UNKNOWN
    return STRONG


@dataclass(frozen=True)
class Chain(Result):
    """The chosen chain from the nearest agency (or supporter) to a household, step by step."""

    _derived = ("text_ja",)

    target: str
    start: PathNode
    hops: int
    steps: tuple[ChainStep, ...]
    weakest: str
    weakest_ja: str
    weak_steps: int
    unknown_steps: int

    @property
    def text_ja(self) -> str:
        """The chain as one Japanese line: 包括 →[支援を受ける・強い (→P1)]→ 世帯H1 →[知人・不明 (P1→P7)]→ 世帯H2; the
        members in brackets are the ones who pass and receive the message in each step."""
        out = self.start.display_ja
        for s in self.steps:
            out += _arrow(s.tie_ja, s.trust_ja, s.via_carrier, s.via_to) + s.to.display_ja
        return out


def _arrow(tie_ja: str, trust_ja: str, carrier: str | None, to: str | None) -> str:
    who = f" ({carrier or ''}→{to or ''})" if carrier or to else ""
    return f" →[{tie_ja}・{trust_ja}{who}]→ "


@dataclass(frozen=True)
class HouseholdReach(Result):
    """A household's chains to the nearest agency, formal supporter and informal supporter (None: no chain)."""

    _derived = ("status_ja",)

    household_id: str
    area_id: str | None
    flags: tuple[str, ...]
    status: str
    agency_hops: int | None
    formal_hops: int | None
    informal_hops: int | None
    agency: Chain | None
    formal: Chain | None
    informal: Chain | None
    cluster_id: str | None

    @property
    def status_ja(self) -> str:
        return STATUS_JA[self.status]


@dataclass(frozen=True)
class IsolatedCluster(Result):
    """A connected group of households with no agency in it, and where outreach should start."""

    _derived = ("entry_reason_ja",)

    cluster_id: str
    households: int
    nodes: int
    household_ids: tuple[str, ...]
    entry: PathNode
    entry_reaches: int
    entry_steps: int
    entry_exhaustive: bool
    risk_households: int
    supporters: tuple[str, ...]
    venues: tuple[str, ...]
    areas: dict[str, int]
    formal_hops: int | None
    k: int

    @property
    def entry_reason_ja(self) -> str:
        how = "" if self.entry_exhaustive else " (つながりの多い候補から選定)"
        return (
            f"{self.entry.display_ja} から{self.k}歩以内に {self.entry_reaches}/{self.households}世帯へ届く"
            f"{how}"
        )


@dataclass
class _ReachArrays:
    """What the exports need beyond the result's lists: the tie graph and the chosen chains as arrays."""

    graph: TieGraph
    keep: np.ndarray
    hops: dict[str, np.ndarray]
    pred: dict[str, np.ndarray]
    arc: dict[str, np.ndarray]
    status: np.ndarray
    cluster_of: np.ndarray
    position: dict[str, int] | None = None


@dataclass(frozen=True)
class ReachabilityResult(Result):
    """Reachability of every household (see the module docstring)."""

    _derived = ("summary_ja",)

    k: int
    ties: str
    households: int
    with_ties: int
    direct: int
    indirect: int
    no_tie: tuple[str, ...]
    beyond_k: tuple[str, ...]
    unreachable: tuple[str, ...]
    hops: dict[str, dict[str, int]]
    reached_within_k: dict[str, int]
    clusters: tuple[IsolatedCluster, ...]
    cluster_households: int
    details: tuple[HouseholdReach, ...]
    details_total: int
    agencies: int
    formal_supporters: int
    informal_supporters: int
    quality: TieQuality
    engine: str
    _seconds: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _arrays: _ReachArrays | None = field(default=None, repr=False, compare=False)

    @property
    def timings(self) -> dict[str, float]:
        """Seconds each step took (not part of ``to_dict``: equal towns give equal results)."""
        return dict(self._seconds)

    @property
    def summary_ja(self) -> str:
        if self.households == 0:
            return "世帯が登録されていません"
        head = (
            f"{self.households}世帯のうち、機関と直接つながる {self.direct}、"
            f"人づてに{self.k}歩以内で届く {self.indirect}、"
            f"つながりはあるが{self.k}歩以内に機関へ届かない {len(self.beyond_k)}"
            f" (うち経路が全くない {len(self.unreachable)})、つながりのない世帯 {len(self.no_tie)}"
        )
        if self.agencies == 0:
            head += "。機関が登録されていないため、機関への経路はどの世帯にもありません"
        if self.clusters:
            head += f"。機関のいない孤立したまとまり {len(self.clusters)}組 ({self.cluster_households}世帯)"
        if self.quality.unknown_strength:
            head += f"。強さ不明のつながり {self.quality.unknown_strength}件 (弱いとは数えていません)"
        return head

    @property
    def tie_graph(self) -> TieGraph | None:
        """The tie graph the result was computed on (None for a result read back from JSON)."""
        return None if self._arrays is None else self._arrays.graph

    # -- one household (needs the arrays: a result read back from JSON has only its lists)

    def _position(self, household_id: str) -> int | None:
        a = self._arrays
        if a is None:
            return None
        if a.position is None:
            T = a.graph
            a.position = {T.ids[int(h)]: i for i, h in enumerate(T.households.tolist())}
        return a.position.get(household_id)

    def household(self, household_id: str) -> tuple[str | None, int | None] | None:
        """(isolated cluster id or None, steps to the nearest agency or None) of a household; None when the
        household is not in the town (or the result has no arrays)."""
        i = self._position(household_id)
        if i is None or self._arrays is None:
            return None
        a = self._arrays
        c = int(a.cluster_of[i])
        return (None if c < 0 else f"G{c + 1}", _hops(a.hops["agency"][int(a.graph.households[i])]))

    def chain_of(self, household_id: str, target: str = "agency") -> Chain | None:
        """The chosen chain from the nearest ``target`` (agency, formal, informal) to a household (None: no
        chain, or the household is not in the town)."""
        i = self._position(household_id)
        if i is None or self._arrays is None:
            return None
        a = self._arrays
        return _chain(a.graph, a, target, int(a.graph.households[i]))

    # -- exports (need the arrays: a result read back from JSON has only its lists)

    def csv_columns(self) -> dict[str, list[Any]]:
        """Every household (in the order of ``details``; direct ones and those with no tie last) as columns:
        ``household_id``, ``area_id``, ``status_ja``, ``agency_hops`` / ``formal_hops`` / ``informal_hops``
        (None: no chain), ``agency_chain`` / ``formal_chain`` / ``informal_chain`` (as :attr:`Chain.text_ja`),
        ``weakest_ja`` (of the agency chain), ``cluster_id``, ``flags``. Built from the arrays in one pass per
        target, so a million households take seconds, not minutes. Empty for a result read back from JSON."""
        a = self._arrays
        if a is None:
            return {}
        T = a.graph
        hh = T.households
        order = _detail_order(self, a, _STATUS)
        nodes = hh[order].tolist()
        out: dict[str, list[Any]] = {
            "household_id": list(map(T.ids.__getitem__, nodes)),
            "area_id": list(map(T.household_area.get, nodes)),
            "status_ja": list(map([STATUS_JA[x] for x in _STATUS].__getitem__, a.status[order].tolist())),
        }
        for t in TARGETS:
            hops = a.hops[t][hh[order]].tolist()
            out[f"{t}_hops"] = [None if x < 0 else x for x in hops]
        texts = {t: _chain_texts(T, a, t) for t in TARGETS}
        for t in TARGETS:
            out[f"{t}_chain"] = list(map(texts[t].__getitem__, nodes))
        out["weakest_ja"] = list(map(_weakest(T, a).__getitem__, nodes))
        out["cluster_id"] = [None if c < 0 else f"G{c + 1}" for c in a.cluster_of[order].tolist()]
        flags = T.household_flags
        out["flags"] = [flags.get(h, ()) for h in nodes]
        return out

    def csv_rows(self) -> Iterator[tuple[Any, ...]]:
        """:meth:`csv_columns` as rows: (id, area, status, agency / formal / informal steps, agency chain,
        weakest tie, formal chain, informal chain, cluster, flags)."""
        c = self.csv_columns()
        if not c:
            return iter(())
        return zip(
            c["household_id"],
            c["area_id"],
            c["status_ja"],
            c["agency_hops"],
            c["formal_hops"],
            c["informal_hops"],
            c["agency_chain"],
            c["weakest_ja"],
            c["formal_chain"],
            c["informal_chain"],
            c["cluster_id"],
            c["flags"],
            strict=True,
        )

    def iter_reach(
        self, *, statuses: tuple[str, ...] = ("indirect", "beyond_k", "unreachable")
    ) -> Iterator[HouseholdReach]:
        """Every household of the given statuses with its chains, in the order of ``details`` (no cap)."""
        a = self._arrays
        if a is None:
            yield from (d for d in self.details if d.status in statuses)
            return
        yield from _details(self, a, statuses, None)


# ---------------------------------------------------------------- building the chains


def _node(T: TieGraph, v: int) -> PathNode:
    kind = KINDS[int(T.kind[v])]
    return PathNode(T.labels[v], T.ids[v], T.names.get(v), kind, T.supporter_kind.get(v) or KIND_JA[kind])


def _chain(T: TieGraph, a: _ReachArrays, target: str, h: int) -> Chain | None:
    hops = int(a.hops[target][h])
    if hops < 0:
        return None
    pred, arc = a.pred[target], a.arc[target]
    steps: list[ChainStep] = []
    trusts: list[int] = []
    v = h
    while pred[v] >= 0:
        u = int(pred[v])
        e = int(a.keep[arc[v]])
        tr = int(T.trust[e])
        trusts.append(tr)
        t = TIES[int(T.tie[e])]
        vs, vd = int(T.src_via[e]), int(T.dst_via[e])
        steps.append(
            ChainStep(
                carrier=_node(T, u),
                to=_node(T, v),
                tie=t.code,
                tie_ja=t.ja,
                trust=TRUST[tr],
                trust_ja=TRUST_JA[TRUST[tr]],
                via_carrier=T.persons[vs] if vs >= 0 else None,
                via_to=T.persons[vd] if vd >= 0 else None,
            )
        )
        v = u
    steps.reverse()
    worst = _worst(trusts)
    return Chain(
        target=target,
        start=_node(T, v),
        hops=hops,
        steps=tuple(steps),
        weakest=TRUST[worst],
        weakest_ja=TRUST_JA[TRUST[worst]],
        weak_steps=trusts.count(WEAK),
        unknown_steps=trusts.count(UNKNOWN),
    )


_STATUS = ("direct", "indirect", "beyond_k", "unreachable", "no_tie")


def _chain_texts(T: TieGraph, a: _ReachArrays, target: str) -> list[str | None]:
    """The chain text of every node (None where no chain reaches), each built from its predecessor's."""
    hops, pred, arc = a.hops[target], a.pred[target], a.arc[target]
    disp = T.display_ja
    texts: list[str | None] = [None] * T.n
    reached = np.flatnonzero(hops >= 0)
    order = reached[np.argsort(hops[reached], kind="stable")]
    # the arc of each reached node (in the tie graph's numbering), its arrow without members cached per kind
    e_of = np.full(T.n, -1, dtype=np.int64)
    has = arc >= 0
    e_of[has] = a.keep[arc[has]]
    plain = {
        (ti, tr): _arrow(TIES[ti].ja, TRUST_JA[TRUST[tr]], None, None)
        for ti in range(len(TIES))
        for tr in range(len(TRUST))
    }
    ties_ja = [t.ja for t in TIES]
    trust_ja = [TRUST_JA[t] for t in TRUST]
    persons = T.persons
    e_l = e_of.tolist()
    pred_l = pred.tolist()
    tie_l, trust_l = T.tie.tolist(), T.trust.tolist()
    sv_l, dv_l = T.src_via.tolist(), T.dst_via.tolist()
    for v in order.tolist():
        p = pred_l[v]
        if p < 0:
            texts[v] = disp[v]
            continue
        e = e_l[v]
        c, t = sv_l[e], dv_l[e]
        if c < 0 and t < 0:
            arrow = plain[(tie_l[e], trust_l[e])]
        else:
            arrow = _arrow(
                ties_ja[tie_l[e]],
                trust_ja[trust_l[e]],
                persons[c] if c >= 0 else None,
                persons[t] if t >= 0 else None,
            )
        texts[v] = f"{texts[p]}{arrow}{disp[v]}"
    return texts


def _weakest(T: TieGraph, a: _ReachArrays) -> list[str]:
    """The weakest tie of every node's agency chain in Japanese ('' where none): 弱い over 不明 over 強い."""
    hops, pred, arc = a.hops["agency"], a.pred["agency"], a.arc["agency"]
    worst = np.full(T.n, -1, dtype=np.int64)  # -1 none, else rank: 0 strong, 1 unknown, 2 weak
    reached = np.flatnonzero(hops >= 0)
    order = reached[np.argsort(hops[reached], kind="stable")]
    rank_of = np.array([0, 1, 2], dtype=np.int64)[T.trust[a.keep]]  # trust codes: strong 0, unknown 1, weak 2
    worst[order[hops[order] == 0]] = 0
    # level by level: a node's worst = max(its predecessor's, its arc's)
    if len(order) == 0:
        return [""] * T.n
    levels = hops[order]
    starts = np.flatnonzero(np.r_[True, levels[1:] != levels[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
        vs = order[s0:s1]
        if levels[s0] == 0:
            continue
        worst[vs] = np.maximum(worst[pred[vs]], rank_of[arc[vs]])
    names = ["強い", "不明", "弱い"]
    return ["" if w < 0 or h <= 0 else names[w] for w, h in zip(worst.tolist(), hops.tolist(), strict=True)]


def _detail_order(res: ReachabilityResult, a: _ReachArrays, statuses: tuple[str, ...]) -> np.ndarray:
    T = a.graph
    hh = T.households
    want = np.isin(a.status, [_STATUS.index(s) for s in statuses])
    idx = np.flatnonzero(want)
    if len(idx) == 0:
        return idx
    rank = np.array([_STATUS_ORDER[s] for s in _STATUS], dtype=np.int64)[a.status[idx]]
    flags = T.household_flags
    risk = np.fromiter((len(flags.get(h, ())) for h in hh[idx].tolist()), dtype=np.int64, count=len(idx))
    hops = a.hops["agency"][hh[idx]]
    # households are numbered in id order, so the node number breaks ties by id
    order = np.lexsort((hh[idx], -hops, -risk, rank))
    return idx[order]


def _details(
    res: ReachabilityResult, a: _ReachArrays, statuses: tuple[str, ...], limit: int | None
) -> Iterator[HouseholdReach]:
    T = a.graph
    hh = T.households
    order = _detail_order(res, a, statuses)
    if limit is not None:
        order = order[:limit]
    for i in order.tolist():
        h = int(hh[i])
        c = int(a.cluster_of[i])
        yield HouseholdReach(
            household_id=T.ids[h],
            area_id=T.household_area.get(h),
            flags=T.household_flags.get(h, ()),
            status=_STATUS[int(a.status[i])],
            agency_hops=_hops(a.hops["agency"][h]),
            formal_hops=_hops(a.hops["formal"][h]),
            informal_hops=_hops(a.hops["informal"][h]),
            agency=_chain(T, a, "agency", h),
            formal=_chain(T, a, "formal", h),
            informal=_chain(T, a, "informal", h),
            cluster_id=None if c < 0 else f"G{c + 1}",
        )


def _hops(x: Any) -> int | None:
    x = int(x)
    return None if x < 0 else x


# ---------------------------------------------------------------- clusters


def _csr(n: int, s: np.ndarray, d: np.ndarray) -> tuple[list[int], list[int]]:
    order = np.argsort(s, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, s + 1, 1)
    return np.cumsum(indptr).tolist(), d[order].tolist()


def _bfs_reach(start: int, indptr: list[int], nbr: list[int], is_hh: np.ndarray, k: int) -> tuple[int, int]:
    """Households reached within ``k`` steps from ``start`` (itself included when a household), and the steps
    to them in all."""
    seen = {start}
    frontier = [start]
    reached = int(is_hh[start])
    total = 0
    for depth in range(1, k + 1):
        nxt: list[int] = []
        for u in frontier:
            for j in range(indptr[u], indptr[u + 1]):
                w = nbr[j]
                if w not in seen:
                    seen.add(w)
                    nxt.append(w)
                    if is_hh[w]:
                        reached += 1
                        total += depth
        if not nxt:
            break
        frontier = nxt
    return reached, total


@dataclass
class _EntryContext:
    """What every cluster's entry-point search shares (computed once per town)."""

    T: TieGraph
    s: np.ndarray
    d: np.ndarray
    is_hh: np.ndarray
    outdeg: np.ndarray
    strong_out: np.ndarray
    indptr: list[int]
    nbr: list[int]
    k: int
    candidates: int


def _entry_point(ctx: _EntryContext, members: np.ndarray) -> tuple[int, int, int, bool]:
    """(entry node, households reached within k, steps to them in all, whether every member was tried)."""
    T, k = ctx.T, ctx.k
    exhaustive = len(members) <= _SMALL_CLUSTER
    if exhaustive:
        cands = members
    else:
        key = np.lexsort((members, -ctx.strong_out[members], -ctx.outdeg[members]))
        cands = members[key[: ctx.candidates]]
    scored: list[tuple[int, int, int, str, int]] = []
    if len(members) > _LARGE_CLUSTER:
        A = sp.csr_matrix((np.ones(len(ctx.s), dtype=bool), (ctx.s, ctx.d)), shape=(T.n, T.n))
        dist = csgraph.dijkstra(A, directed=True, indices=cands, unweighted=True, limit=k + 0.5)
        for row, c in zip(np.atleast_2d(dist), cands.tolist(), strict=True):
            near = np.isfinite(row) & ctx.is_hh
            scored.append(
                (-int(near.sum()), int(row[near].sum()), _ENTRY_PREFERENCE[int(T.kind[c])], T.ids[c], c)
            )
    else:
        for c in cands.tolist():
            reached, total = _bfs_reach(c, ctx.indptr, ctx.nbr, ctx.is_hh, k)
            scored.append((-reached, total, _ENTRY_PREFERENCE[int(T.kind[c])], T.ids[c], c))
    best = min(scored)
    return best[4], -best[0], best[1], exhaustive


# ---------------------------------------------------------------- the analysis


def reachability(
    G: Any,
    *,
    k: int = DEFAULT_K,
    ties: str = "all",
    detail_limit: int | None = None,
    entry_candidates: int = 32,
    algorithms: NetworkAlgorithms | None = None,
) -> ReachabilityResult:
    """The shortest chain from every household to an agency, a formal and an informal supporter; households with
    no tie, beyond ``k`` steps or unreachable; isolated clusters with their entry points.

    Parameters
    ----------
    G : networkx graph or TieGraph
        A town projection, or a :class:`~graphsvc.analysis.tiegraph.TieGraph` built from store rows.
    k : int
        Steps within which a chain to an agency counts as reaching (default 3).
    ties : {"all", "not_weak", "strong"}
        Which ties a chain may use.
    detail_limit : int, optional
        Keep the chains of at most this many households in ``details`` (all when None;
        :meth:`ReachabilityResult.iter_reach` gives every one).
    entry_candidates : int
        In a cluster of more than 64 nodes, try this many of the best-connected members as entry points.
    algorithms : NetworkAlgorithms, optional
        The graph engine (default: :data:`graphsvc.analysis.algorithms.LOCAL`).

    Returns
    -------
    ReachabilityResult
        Counts by status; the id lists; hop histograms per target; isolated clusters (largest first) with their
        entry points; ``details``: each household without a direct agency tie with its chains, the ones with no
        chain within ``k`` first.

    Examples
    --------
    A chain of three neighbours to a supported household:

    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Agency", "A1", {"name": "地域包括支援センター"})]
    ...     + [("Household", h, {}) for h in ("H0", "H1", "H2", "H3", "H9")],
    ...     [("SUPPORTED_BY", "Household", "H0", "Agency", "A1", {"intensity": 2}),
    ...      ("NEIGHBOUR_OF", "Household", "H0", "Household", "H1", {"strength": "strong"}),
    ...      ("NEIGHBOUR_OF", "Household", "H1", "Household", "H2", {}),
    ...      ("NEIGHBOUR_OF", "Household", "H2", "Household", "H3", {"strength": "weak"})],
    ... )
    >>> r = reachability(G, k=3)
    >>> r.direct, r.indirect, r.beyond_k, r.no_tie
    (1, 2, ('H3',), ('H9',))
    >>> far = r.details[0]
    >>> far.household_id, far.status, far.agency_hops
    ('H3', 'beyond_k', 4)
    >>> far.agency.text_ja
    '地域包括支援センター →[支援を受ける・強い]→ 世帯H0 →[近所・強い]→ 世帯H1 →[近所・不明]→ 世帯H2 →[近所・弱い]→ 世帯H3'
    >>> far.agency.weakest_ja, far.agency.unknown_steps
    ('弱い', 1)
    """
    import time

    if k < 1:
        raise ValueError("k は1以上にしてください (k must be at least 1)")
    alg = algorithms or LOCAL
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    T = tie_graph(G) if not isinstance(G, TieGraph) else G
    seconds["tie_graph"] = round(time.perf_counter() - t0, 4)
    n = T.n
    keep, s, d = T.filtered(ties)
    big = n + 1
    tr = T.trust[keep]
    cost = np.where(tr == WEAK, big, np.where(tr == UNKNOWN, 1, 0)).astype(np.int64)
    hh = T.households
    t0 = time.perf_counter()
    hops: dict[str, np.ndarray] = {}
    pred: dict[str, np.ndarray] = {}
    arc: dict[str, np.ndarray] = {}
    sources = {"agency": T.nodes_of(AGENCY), "formal": T.nodes_of(FORMAL), "informal": T.nodes_of(INFORMAL)}
    for target, srcs in sources.items():
        hops[target], pred[target], arc[target] = alg.nearest_source(n, s, d, srcs, cost=cost)
    seconds["chains"] = round(time.perf_counter() - t0, 4)

    deg = T.degree()
    h_hops = hops["agency"][hh]
    has_tie = deg[hh] > 0
    status = np.full(len(hh), _STATUS.index("no_tie"), dtype=np.int64)
    status[has_tie & (h_hops < 0)] = _STATUS.index("unreachable")
    status[has_tie & (h_hops > k)] = _STATUS.index("beyond_k")
    status[has_tie & (h_hops >= 2) & (h_hops <= k)] = _STATUS.index("indirect")
    status[has_tie & (h_hops == 1)] = _STATUS.index("direct")

    # isolated clusters: components with no agency, a household and at least two nodes
    t0 = time.perf_counter()
    comp = alg.weak_components(n, s, d)
    n_comp = int(comp.max()) + 1 if n else 0
    size = np.bincount(comp, minlength=n_comp)
    has_agency = np.bincount(comp[sources["agency"]], minlength=n_comp) > 0
    hh_count = np.bincount(comp[hh], minlength=n_comp)
    is_cluster = (~has_agency) & (hh_count > 0) & (size >= 2)
    cluster_comps = np.flatnonzero(is_cluster)
    # number the clusters: most households first, then by their first household id
    first_hh: dict[int, str] = {}
    for h in hh[is_cluster[comp[hh]]].tolist():
        first_hh.setdefault(int(comp[h]), T.ids[h])
    cluster_comps = np.array(
        sorted(cluster_comps.tolist(), key=lambda c: (-int(hh_count[c]), first_hh.get(c, ""))), dtype=np.int64
    )
    cluster_no = np.full(n_comp, -1, dtype=np.int64)
    cluster_no[cluster_comps] = np.arange(len(cluster_comps))
    cluster_of = cluster_no[comp[hh]] if len(hh) else np.zeros(0, dtype=np.int64)
    clusters: list[IsolatedCluster] = []
    if len(cluster_comps):
        members_sorted = np.argsort(comp, kind="stable")
        starts = np.searchsorted(comp[members_sorted], cluster_comps, side="left")
        ends = np.searchsorted(comp[members_sorted], cluster_comps, side="right")
        indptr, nbr = _csr(n, s, d)
        ctx = _EntryContext(
            T,
            s,
            d,
            T.kind == HOUSEHOLD,
            np.bincount(s, minlength=n),
            np.bincount(s[tr == STRONG], minlength=n),
            indptr,
            nbr,
            k,
            entry_candidates,
        )
        for no, (_c, a0, a1) in enumerate(
            zip(cluster_comps.tolist(), starts.tolist(), ends.tolist(), strict=True)
        ):
            members = members_sorted[a0:a1]
            kinds = T.kind[members]
            m_hh = members[kinds == HOUSEHOLD]
            entry, reach, steps, exhaustive = _entry_point(ctx, members)
            areas: dict[str, int] = {}
            for h in m_hh.tolist():
                aid = T.household_area.get(h, "unknown")
                areas[aid] = areas.get(aid, 0) + 1
            fh = hops["formal"][members]
            clusters.append(
                IsolatedCluster(
                    cluster_id=f"G{no + 1}",
                    households=len(m_hh),
                    nodes=len(members),
                    household_ids=tuple(sorted(T.ids[h] for h in m_hh.tolist())),
                    entry=_node(T, entry),
                    entry_reaches=reach,
                    entry_steps=steps,
                    entry_exhaustive=exhaustive,
                    risk_households=sum(1 for h in m_hh.tolist() if T.household_flags.get(h)),
                    supporters=tuple(
                        sorted(T.display_ja[x] for x in members[np.isin(kinds, (FORMAL, INFORMAL))].tolist())
                    ),
                    venues=tuple(sorted(T.names.get(x, T.ids[x]) for x in members[kinds == VENUE].tolist())),
                    areas=dict(sorted(areas.items())),
                    formal_hops=None if not (fh >= 0).any() else int(fh[fh >= 0].min()),
                    k=k,
                )
            )
    seconds["clusters"] = round(time.perf_counter() - t0, 4)

    ids = T.ids

    def listed(code: str) -> tuple[str, ...]:
        return tuple(sorted(ids[int(h)] for h in hh[status == _STATUS.index(code)].tolist()))

    histo: dict[str, dict[str, int]] = {}
    within: dict[str, int] = {}
    for target in TARGETS:
        x = hops[target][hh]
        vals, counts = np.unique(x, return_counts=True)
        histo[target] = {
            ("none" if v < 0 else str(int(v))): int(c) for v, c in zip(vals, counts, strict=True)
        }
        within[target] = int(((x >= 1) & (x <= k)).sum())
    arrays = _ReachArrays(T, keep, hops, pred, arc, status, cluster_of)
    beyond = listed("beyond_k")
    unreachable = listed("unreachable")
    res = ReachabilityResult(
        k=k,
        ties=ties,
        households=len(hh),
        with_ties=int(has_tie.sum()),
        direct=int((status == _STATUS.index("direct")).sum()),
        indirect=int((status == _STATUS.index("indirect")).sum()),
        no_tie=listed("no_tie"),
        beyond_k=tuple(sorted(beyond + unreachable)),
        unreachable=unreachable,
        hops=histo,
        reached_within_k=within,
        clusters=tuple(clusters),
        cluster_households=sum(c.households for c in clusters),
        details=(),
        details_total=int(np.isin(status, [1, 2, 3]).sum()),
        agencies=len(sources["agency"]),
        formal_supporters=len(sources["formal"]),
        informal_supporters=len(sources["informal"]),
        quality=T.quality,
        engine=getattr(alg, "name", type(alg).__name__),
        _seconds=seconds,
        _arrays=arrays,
    )
    t0 = time.perf_counter()
    details = tuple(_details(res, arrays, ("indirect", "beyond_k", "unreachable"), detail_limit))
    seconds["details"] = round(time.perf_counter() - t0, 4)
    object.__setattr__(res, "details", details)
    return res


def shared_reachability(G: Any, **kwargs: Any) -> ReachabilityResult:
    """:func:`reachability` once per graph and arguments inside :func:`graphsvc.analysis.common.shared_index`."""
    key = "reachability:" + repr(sorted(kwargs.items()))
    return cached(G, key, lambda: reachability(G, **kwargs))
