"""Agencies that share households but never meet: missing COLLABORATES_WITH ties, link prediction, and whom to
invite to the next 重層的支援会議.

An agency *serves* a household through SUPPORTED_BY (from the household or a member) or through HANDLED_BY of
an open case about it (closed ones too with ``include_closed``). Two agencies sharing at least ``k`` households
form a *missing link* when no COLLABORATES_WITH joins them in either direction, or when the highest level
between them is below ``min_level`` on PARTNER's ladder (認知 → 協力 → 連携 → 統合; default 連携, coordination).

Link prediction scores every unlinked agency pair on the agency–household bipartite graph with networkx's
link-prediction formulas (Adamic–Adar by default: shared households served by few agencies weigh more), summed
exactly (``math.fsum``) so that tied pairs score the same in every run and on every store, and ordered by score
then by the agencies' ids.

Store-side: the pairs and their shared households are one aggregation in Cypher
(``MATCH (a:Agency)<-[:SUPPORTED_BY]-(h)-[:SUPPORTED_BY]->(b:Agency) WHERE a.id < b.id AND NOT (a)-[:COLLABORATES_WITH]-(b)
WITH a, b, collect(DISTINCT h.id) AS hs WHERE size(hs) >= $k RETURN …``); here members and cases are folded in
as well, which is why the analysis runs over the projection.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import networkx as nx

from graphsvc.analysis.common import Result, TownIndex, index_of, sector_ja
from graphsvc.domain.enums import CollaborationLevel, RelType

__all__ = [
    "AgencyRef",
    "InviteList",
    "Invitee",
    "LinkPrediction",
    "MissingLink",
    "MissingLinksResult",
    "collaboration_levels",
    "invite_list",
    "missing_links",
    "predict_links",
    "shared_households",
]

_R = RelType
Method = Literal["adamic_adar", "common_neighbors", "jaccard", "resource_allocation"]
_METHODS = frozenset(("adamic_adar", "common_neighbors", "jaccard", "resource_allocation"))


@dataclass(frozen=True)
class AgencyRef(Result):
    """An agency as results name it: id, name and primary sector (first of its sectors, or ``unknown``)."""

    agency_id: str
    name: str | None
    sector: str
    sector_ja: str


@dataclass(frozen=True)
class MissingLink(Result):
    """Two agencies sharing households without (enough) collaboration, with the households as evidence."""

    _derived = ("reason_ja", "reason_en")

    agency_a: AgencyRef
    agency_b: AgencyRef
    shared_households: int
    household_ids: tuple[str, ...]
    hard_household_ids: tuple[str, ...]
    level: str | None
    level_ja: str | None

    @property
    def reason_ja(self) -> str:
        a, b = self.agency_a.name or self.agency_a.agency_id, self.agency_b.name or self.agency_b.agency_id
        now = "連携の記録なし" if self.level is None else f"現在の連携段階は「{self.level_ja}」"
        hard = f" (うち困難事例 {len(self.hard_household_ids)}世帯)" if self.hard_household_ids else ""
        return f"{a} と {b} は {self.shared_households}世帯を共に支援{hard}。{now}"

    @property
    def reason_en(self) -> str:
        a, b = self.agency_a.name or self.agency_a.agency_id, self.agency_b.name or self.agency_b.agency_id
        now = "no collaboration recorded" if self.level is None else f"collaboration level is {self.level}"
        hard = f" ({len(self.hard_household_ids)} with hard cases)" if self.hard_household_ids else ""
        return f"{a} and {b} both serve {self.shared_households} households{hard}; {now}"


@dataclass(frozen=True)
class LinkPrediction(Result):
    """A predicted tie between two unlinked agencies, with its score and the count of shared households."""

    agency_a: AgencyRef
    agency_b: AgencyRef
    score: float
    method: str
    common_households: int


@dataclass(frozen=True)
class MissingLinksResult(Result):
    """Missing links ranked by shared households then hard cases, and link predictions for unlinked pairs."""

    _derived = ("summary_ja",)

    links: tuple[MissingLink, ...]
    predictions: tuple[LinkPrediction, ...]
    k: int
    min_level: str
    pairs_sharing: int

    @property
    def summary_ja(self) -> str:
        return (
            f"{self.k}世帯以上を共に支援する機関の組 {self.pairs_sharing}組のうち、"
            f"連携が「{CollaborationLevel(self.min_level).ja}」未満の組 {len(self.links)}組"
        )


@dataclass(frozen=True)
class Invitee(Result):
    """An agency to invite: the unlinked shared households it covers and the agencies it should meet."""

    _derived = ("partner_names",)

    agency: AgencyRef
    unlinked_households: int
    household_ids: tuple[str, ...]
    hard_households: int
    partners: tuple[str, ...]
    partner_refs: tuple[AgencyRef, ...] = ()

    @property
    def partner_names(self) -> tuple[str, ...]:
        """The partners by name (their id when they have none), in the order of ``partners``."""
        by_id = {r.agency_id: r.name or r.agency_id for r in self.partner_refs}
        return tuple(by_id.get(p, p) for p in self.partners)


@dataclass(frozen=True)
class InviteList(Result):
    """Whom to invite to the next 重層的支援会議, and how many missing links the invitees close."""

    _derived = ("summary_ja",)

    invitees: tuple[Invitee, ...]
    pairs_covered: int
    pairs_total: int
    households_covered: int

    @property
    def summary_ja(self) -> str:
        return (
            f"{len(self.invitees)}機関を招くと、未連携の組 {self.pairs_total}組のうち {self.pairs_covered}組"
            f" ({self.households_covered}世帯) が同じ会議に揃います"
        )


def _agency_ref(idx: TownIndex, a: str) -> AgencyRef:
    s = idx.primary_sector(a)
    return AgencyRef(idx.ext_id(a), idx.name(a), s, sector_ja(s))


def collaboration_levels(G: nx.Graph) -> dict[tuple[str, str], CollaborationLevel]:
    """The highest COLLABORATES_WITH level of each agency pair, either direction (pair of ids, sorted).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Agency", "A1", {"name": "a"}), ("Agency", "A2", {"name": "b"})],
    ...     [("COLLABORATES_WITH", "Agency", "A2", "Agency", "A1", {"level": "cooperation"}),
    ...      ("COLLABORATES_WITH", "Agency", "A1", "Agency", "A2", {"level": "awareness"})],
    ... )
    >>> collaboration_levels(G)
    {('A1', 'A2'): <CollaborationLevel.COOPERATION: 'cooperation'>}
    """
    idx = index_of(G)
    return {(idx.ext_id(a), idx.ext_id(b)): lv for (a, b), lv in _levels(idx).items()}


def _levels(idx: TownIndex) -> dict[tuple[str, str], CollaborationLevel]:
    out: dict[tuple[str, str], CollaborationLevel] = {}
    for a, b, d in idx.edges[_R.COLLABORATES_WITH.value]:
        if a == b:
            continue
        try:
            lv = CollaborationLevel(str(d.get("level", CollaborationLevel.AWARENESS.value)))
        except ValueError:
            lv = CollaborationLevel.AWARENESS
        key = _pair(idx, a, b)
        if key not in out or lv.rank > out[key].rank:
            out[key] = lv
    return out


def _pair(idx: TownIndex, a: str, b: str) -> tuple[str, str]:
    return (a, b) if idx.ext_id(a) <= idx.ext_id(b) else (b, a)


def _shared(idx: TownIndex, include_closed: bool) -> dict[tuple[str, str], list[str]]:
    """Agency pair (keys, ordered by id) → household keys both serve."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for h, agencies in idx.served_by(include_closed=include_closed).items():
        ags = sorted(agencies, key=idx.ext_id)
        for a, b in combinations(ags, 2):
            out[(a, b)].append(h)
    return out


def shared_households(G: nx.Graph, *, include_closed: bool = False) -> dict[tuple[str, str], list[str]]:
    """Households served by both agencies of each pair (agency ids sorted; households sorted).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Agency", "A1", {"name": "a"}), ("Agency", "A2", {"name": "b"})],
    ...     [("SUPPORTED_BY", "Household", "H1", "Agency", "A1", {}),
    ...      ("SUPPORTED_BY", "Household", "H1", "Agency", "A2", {})],
    ... )
    >>> shared_households(G)
    {('A1', 'A2'): ['H1']}
    """
    idx = index_of(G)
    return {
        (idx.ext_id(a), idx.ext_id(b)): sorted(idx.ext_id(h) for h in hs)
        for (a, b), hs in _shared(idx, include_closed).items()
    }


def _hard_households(idx: TownIndex, include_closed: bool) -> set[str]:
    return {
        h
        for c, hs in idx.case_households.items()
        if idx.case_hard(c) and (include_closed or idx.case_open(c))
        for h in hs
    }


def _degrees(idx: TownIndex, include_closed: bool) -> dict[str, int]:
    """Household key → the number of agencies serving it (its degree on the agency–household graph)."""
    return {h: len(agencies) for h, agencies in idx.served_by(include_closed=include_closed).items()}


def _score(method: Method, common: list[str], deg: dict[str, int], union: int) -> float:
    """One pair's link-prediction score, the same whatever order the shared households come in.

    The formulas are networkx's (``adamic_adar_index``, ``resource_allocation_index``, ``jaccard_coefficient``
    on the agency–household graph), but summed with :func:`math.fsum`, which rounds the exact sum once: a plain
    sum follows the iteration order of a set of node keys, which changes with the hash seed and the store, so two
    pairs with the same shared-household degrees could score a few ulps apart and swap places between runs.
    """
    if method == "common_neighbors":
        return float(len(common))
    if method == "adamic_adar":
        return math.fsum(1.0 / math.log(deg[h]) for h in common)
    if method == "resource_allocation":
        return math.fsum(1.0 / deg[h] for h in common)
    return len(common) / union if union else 0.0


def _predict(
    idx: TownIndex,
    shared: dict[tuple[str, str], list[str]],
    levels: dict[tuple[str, str], CollaborationLevel],
    *,
    method: Method,
    top: int | None,
    include_closed: bool,
) -> tuple[LinkPrediction, ...]:
    if method not in _METHODS:
        raise ValueError(f"unknown link-prediction method {method!r}")
    pairs = [p for p in shared if p not in levels]
    if not pairs:
        return ()
    deg = _degrees(idx, include_closed)
    served: dict[str, set[str]] = defaultdict(set)
    if method == "jaccard":
        for h, agencies in idx.served_by(include_closed=include_closed).items():
            for a in agencies:
                served[a].add(h)
    scored = [
        (
            a,
            b,
            round(_score(method, shared[(a, b)], deg, len(served[a] | served[b])), 6),
            idx.ext_id(a),
            idx.ext_id(b),
        )
        for a, b in pairs
    ]
    # Highest score first; equal (displayed) scores by the agencies' ids, so the order and the ``top`` cut are the
    # same in every run, on every store and whatever order the rows were loaded in.
    scored.sort(key=lambda t: (-t[2], t[3], t[4]))
    if top is not None:
        scored = scored[:top]
    return tuple(
        LinkPrediction(_agency_ref(idx, a), _agency_ref(idx, b), s, method, len(shared[(a, b)]))
        for a, b, s, _, _ in scored
    )


def predict_links(
    G: nx.Graph, *, method: Method = "adamic_adar", top: int | None = 20, include_closed: bool = False
) -> tuple[LinkPrediction, ...]:
    """Score agency pairs with no COLLABORATES_WITH tie by link prediction on the agency–household graph.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    method : {"adamic_adar", "common_neighbors", "jaccard", "resource_allocation"}
        The networkx link-prediction function (``common_neighbors``: the count of shared households).
    top : int, optional
        Keep the ``top`` best pairs (all when None).
    include_closed : bool
        Count the agencies of closed cases too.

    Returns
    -------
    tuple of LinkPrediction
        Highest score first; only pairs with at least one shared household (others score 0).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Household", "H2", {}),
    ...      ("Agency", "A1", {"name": "a"}), ("Agency", "A2", {"name": "b"})],
    ...     [("SUPPORTED_BY", "Household", h, "Agency", a, {}) for h in ("H1", "H2") for a in ("A1", "A2")],
    ... )
    >>> p = predict_links(G)[0]
    >>> (p.agency_a.agency_id, p.agency_b.agency_id, round(p.score, 3), p.common_households)
    ('A1', 'A2', 2.885, 2)
    """
    idx = index_of(G)
    return _predict(
        idx,
        _shared(idx, include_closed),
        _levels(idx),
        method=method,
        top=top,
        include_closed=include_closed,
    )


def missing_links(
    G: nx.Graph,
    *,
    k: int = 2,
    min_level: CollaborationLevel | str = CollaborationLevel.COORDINATION,
    include_closed: bool = False,
    method: Method = "adamic_adar",
    top_predictions: int | None = 20,
) -> MissingLinksResult:
    """Agency pairs sharing at least ``k`` households with no collaboration, or below ``min_level``.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    k : int
        The least number of shared households (default 2).
    min_level : CollaborationLevel or str
        A pair whose highest level (either direction) is below this is listed (default coordination, 連携).
    include_closed : bool
        Count the agencies of closed cases too.
    method, top_predictions
        Passed to :func:`predict_links` for ``predictions``.

    Returns
    -------
    MissingLinksResult
        ``links`` ranked by shared households, then households with a hard case, each with the household ids;
        ``predictions`` for pairs with no tie at all.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> hs = ("H1", "H2", "H3")
    >>> G = build_projection(
    ...     [("Household", h, {}) for h in hs]
    ...     + [("Agency", "A1", {"name": "包括", "sectors": ["elderly"]}),
    ...        ("Agency", "A2", {"name": "自立相談", "sectors": ["poverty"]})],
    ...     [("SUPPORTED_BY", "Household", h, "Agency", a, {}) for h in hs for a in ("A1", "A2")],
    ... )
    >>> link = missing_links(G).links[0]
    >>> link.household_ids, link.level
    (('H1', 'H2', 'H3'), None)
    >>> link.reason_ja
    '包括 と 自立相談 は 3世帯を共に支援。連携の記録なし'
    """
    idx = index_of(G)
    floor = CollaborationLevel(min_level)
    shared = _shared(idx, include_closed)
    levels = _levels(idx)
    hard = _hard_households(idx, include_closed)
    links: list[MissingLink] = []
    sharing = 0
    for (a, b), hs in shared.items():
        if len(hs) < k:
            continue
        sharing += 1
        lv = levels.get((a, b))
        if lv is not None and lv.rank >= floor.rank:
            continue
        links.append(
            MissingLink(
                agency_a=_agency_ref(idx, a),
                agency_b=_agency_ref(idx, b),
                shared_households=len(hs),
                household_ids=tuple(sorted(idx.ext_id(h) for h in hs)),
                hard_household_ids=tuple(sorted(idx.ext_id(h) for h in hs if h in hard)),
                level=None if lv is None else lv.value,
                level_ja=None if lv is None else lv.ja,
            )
        )
    links.sort(
        key=lambda m: (
            -m.shared_households,
            -len(m.hard_household_ids),
            m.agency_a.agency_id,
            m.agency_b.agency_id,
        )
    )
    return MissingLinksResult(
        links=tuple(links),
        predictions=_predict(
            idx, shared, levels, method=method, top=top_predictions, include_closed=include_closed
        ),
        k=k,
        min_level=floor.value,
        pairs_sharing=sharing,
    )


def invite_list(
    G: nx.Graph,
    *,
    seats: int | None = None,
    links: MissingLinksResult | None = None,
    k: int = 2,
    min_level: CollaborationLevel | str = CollaborationLevel.COORDINATION,
    include_closed: bool = False,
) -> InviteList:
    """Whom to invite to the next 重層的支援会議: agencies covering the most unlinked shared households.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    seats : int, optional
        Keep the first ``seats`` agencies (all agencies of a missing link when None).
    links : MissingLinksResult, optional
        A result of :func:`missing_links` to reuse (otherwise computed with ``k``, ``min_level``,
        ``include_closed``).

    Returns
    -------
    InviteList
        Agencies ranked by the number of distinct households they share with an agency they are not (enough)
        linked with, then by hard-case households; each with its partners to meet; and how many missing links
        would have both agencies at the table.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", h, {}) for h in ("H1", "H2", "H3")]
    ...     + [("Agency", a, {"name": a}) for a in ("A1", "A2", "A3")],
    ...     [("SUPPORTED_BY", "Household", h, "Agency", a, {})
    ...      for h, a in [("H1", "A1"), ("H1", "A2"), ("H2", "A1"), ("H2", "A2"),
    ...                   ("H3", "A1"), ("H3", "A3"), ("H2", "A3")]],
    ... )
    >>> inv = invite_list(G, seats=2)
    >>> [(i.agency.agency_id, i.unlinked_households, i.partners) for i in inv.invitees]
    [('A1', 3, ('A2', 'A3')), ('A2', 2, ('A1',))]
    >>> inv.pairs_covered, inv.pairs_total
    (1, 2)
    """
    res = (
        links
        if links is not None
        else missing_links(G, k=k, min_level=min_level, include_closed=include_closed, top_predictions=0)
    )
    households: dict[str, set[str]] = defaultdict(set)
    hard: dict[str, set[str]] = defaultdict(set)
    partners: dict[str, set[str]] = defaultdict(set)
    refs: dict[str, AgencyRef] = {}
    for m in res.links:
        for me, other in ((m.agency_a, m.agency_b), (m.agency_b, m.agency_a)):
            refs[me.agency_id] = me
            households[me.agency_id].update(m.household_ids)
            hard[me.agency_id].update(m.hard_household_ids)
            partners[me.agency_id].add(other.agency_id)
    ranked = sorted(refs, key=lambda a: (-len(households[a]), -len(hard[a]), a))
    if seats is not None:
        ranked = ranked[:seats]
    chosen = set(ranked)
    covered = [m for m in res.links if m.agency_a.agency_id in chosen and m.agency_b.agency_id in chosen]
    return InviteList(
        invitees=tuple(
            Invitee(
                agency=refs[a],
                unlinked_households=len(households[a]),
                household_ids=tuple(sorted(households[a])),
                hard_households=len(hard[a]),
                partners=tuple(sorted(partners[a])),
                partner_refs=tuple(refs[p] for p in sorted(partners[a]) if p in refs),
            )
            for a in ranked
        ),
        pairs_covered=len(covered),
        pairs_total=len(res.links),
        households_covered=len({h for m in covered for h in m.household_ids}),
    )
