"""The agency network as a graph of its own: does collaboration hold the town's agencies together, and which agency
or which one collaboration holds it together alone? (多機関協働・重層的支援会議)

The *collaboration network* has every agency as a node and an edge for each pair with a recorded
COLLABORATES_WITH in either direction at ``min_level`` or above on PARTNER's ladder (認知 → 協力 → 連携 → 統合;
default: any record). Its connected components are listed with their members by name, largest first; agencies
outside the largest one are *cut off* (切り離された機関). A *bridge* is a collaboration whose loss splits the network,
an *articulation point* an agency whose loss does; each comes with the agencies it would cut off.

Shown apart, the *co-service network* joins two agencies that serve at least one household together
(SUPPORTED_BY from the household or a member, or an open case): agencies there together but apart in the
collaboration network share households without working together — the links that would mend a split.

Sectors: each agency's primary sector (the first of its ``sectors``, or 分野不明); per sector the agencies, how many
are cut off, collaborations inside and across; and the *sector graph* (sectors joined when a collaboration joins
their agencies), whose components say which sectors work only with each other. The silo measure (sector
modularity, :mod:`graphsvc.analysis.silo`) sits on top.

Store-side: the agencies and the collaborations are two plain Cypher reads; components, bridges and articulation
points are GDS procedures (``gds.wcc``, ``gds.bridges``, ``gds.articulationPoints``) through
:class:`graphsvc.analysis.algorithms.NetworkAlgorithms`; the network is small (hundreds of agencies) and runs here
by default.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphsvc.analysis.algorithms import LOCAL, NetworkAlgorithms
from graphsvc.analysis.common import UNKNOWN_SECTOR, Result, sector_ja
from graphsvc.analysis.tiegraph import AGENCY, HOUSEHOLD, TIE_CODE, TieGraph, tie_graph
from graphsvc.domain.enums import AgencyKind, CollaborationLevel, Sector

__all__ = [
    "AgencyBridge",
    "AgencyComponent",
    "AgencyCut",
    "AgencyNetworkResult",
    "AgencyNode",
    "CoServiceLink",
    "SectorSummary",
    "agency_network",
    "names_ja",
]

_SECTOR_ORDER = {s.value: i for i, s in enumerate(Sector)}


def _sector_key(s: str) -> tuple[int, str]:
    return (_SECTOR_ORDER.get(s, len(_SECTOR_ORDER)), s)


@dataclass(frozen=True)
class AgencyNode(Result):
    """An agency as the network findings name it."""

    agency_id: str
    name: str
    sector: str
    sector_ja: str
    kind_ja: str | None


def names_ja(agencies: tuple[AgencyNode, ...] | list[AgencyNode], limit: int = 8) -> str:
    """Agency names joined with 「、」, the rest counted (「ほか3機関」)."""
    shown = "、".join(a.name for a in agencies[:limit])
    more = len(agencies) - limit
    return shown + (f" ほか{more}機関" if more > 0 else "")


@dataclass(frozen=True)
class AgencyComponent(Result):
    """A connected group of the collaboration network."""

    _derived = ("sectors_ja",)

    component_id: str
    agencies: tuple[AgencyNode, ...]
    size: int
    main: bool
    collaborations: int
    sectors: dict[str, int]
    households_served: int

    @property
    def sectors_ja(self) -> str:
        return "、".join(sector_ja(s) for s in self.sectors)


@dataclass(frozen=True)
class AgencyCut(Result):
    """An agency whose loss splits the collaboration network, and the agencies it would cut off."""

    _derived = ("reason_ja",)

    agency: AgencyNode
    cut_off: tuple[AgencyNode, ...]
    parts: int

    @property
    def reason_ja(self) -> str:
        return (
            f"{self.agency.name} が欠けると連携網が{self.parts}つに分かれ、"
            f"{names_ja(self.cut_off)} ({len(self.cut_off)}機関) が切り離されます"
        )


@dataclass(frozen=True)
class AgencyBridge(Result):
    """A collaboration whose loss splits the collaboration network, with the side it would cut off."""

    _derived = ("reason_ja",)

    a: AgencyNode
    b: AgencyNode
    level: str
    level_ja: str
    cut_off: tuple[AgencyNode, ...]

    @property
    def reason_ja(self) -> str:
        return (
            f"{self.a.name} と {self.b.name} の連携 (「{self.level_ja}」) が途切れると、"
            f"{names_ja(self.cut_off)} ({len(self.cut_off)}機関) が切り離されます"
        )


@dataclass(frozen=True)
class CoServiceLink(Result):
    """Two agencies in different parts of the collaboration network that serve households together."""

    _derived = ("reason_ja",)

    a: AgencyNode
    b: AgencyNode
    households: int

    @property
    def reason_ja(self) -> str:
        return f"{self.a.name} と {self.b.name} は {self.households}世帯を共に支援していますが、連携の記録でつながっていません"


@dataclass(frozen=True)
class SectorSummary(Result):
    """One sector's place in the collaboration network."""

    sector: str
    sector_ja: str
    agencies: int
    cut_off: int
    internal: int
    external: int
    articulation_points: int
    linked_sectors: tuple[str, ...]


@dataclass(frozen=True)
class AgencyNetworkResult(Result):
    """The collaboration network's components, bridges, articulation points, sectors and silo measure, and the
    co-service network shown apart (see the module docstring)."""

    _derived = ("summary_ja", "split", "finding_ja")

    agencies: int
    collaborations: int
    min_level: str
    components: tuple[AgencyComponent, ...]
    cut_off: tuple[AgencyNode, ...]
    without_collaboration: tuple[AgencyNode, ...]
    articulation_points: tuple[AgencyCut, ...]
    bridges: tuple[AgencyBridge, ...]
    sectors: tuple[SectorSummary, ...]
    sector_groups: tuple[tuple[str, ...], ...]
    modularity: float | None
    cross_sector_share: float | None
    coservice_components: int
    coservice_alone: int
    coservice_pairs: int
    mending_links: tuple[CoServiceLink, ...]
    ignored_collaborations: int
    engine: str

    @property
    def split(self) -> bool:
        """The network falls into two or more parts (a town with one agency or none is not split)."""
        return len(self.components) > 1

    @property
    def finding_ja(self) -> str | None:
        """The plain-Japanese first finding of the report when the network is split (None otherwise)."""
        if not self.split:
            return None
        main = next((c for c in self.components if c.main), self.components[0])
        others = [c for c in self.components if not c.main]
        groups = []
        for c in others[:6]:
            if c.size == 1:
                groups.append(f"{c.agencies[0].name} (連携の記録なし)")
            else:
                groups.append(f"{names_ja(c.agencies, 6)} ({c.size}機関、{c.sectors_ja})")
        more = f" ほか{len(others) - 6}組" if len(others) > 6 else ""
        text = (
            f"支援関係機関の連携網が{len(self.components)}つに分かれています。"
            f"最も大きなまとまり ({main.size}機関) とつながっていないのは、{'、'.join(groups)}{more}です"
        )
        if self.mending_links:
            m = self.mending_links[0]
            text += f"。{m.a.name} と {m.b.name} は {m.households}世帯を共に支援しており、つなぎ役になれます"
        return text

    @property
    def summary_ja(self) -> str:
        if self.agencies == 0:
            return "支援関係機関が登録されていないため、連携網はありません"
        if self.collaborations == 0:
            return f"機関 {self.agencies}、連携の記録がありません (どの機関も他の機関とつながっていません)"
        parts = (
            f"連携網は{len(self.components)}つに分かれ、切り離された機関 {len(self.cut_off)}"
            if self.split
            else "連携網は一つにつながっています"
        )
        aps = (
            f"、欠けると網が分かれる機関 {len(self.articulation_points)}" if self.articulation_points else ""
        )
        br = f"、途切れると網が分かれる連携 {len(self.bridges)}" if self.bridges else ""
        return f"機関 {self.agencies}、連携 {self.collaborations}: {parts}{aps}{br}"


def _level_ja(rank: int) -> tuple[str, str]:
    lv = list(CollaborationLevel)[max(0, min(rank, len(CollaborationLevel) - 1))]
    return lv.value, lv.ja


def agency_network(
    G: Any,
    *,
    min_level: CollaborationLevel | str = CollaborationLevel.AWARENESS,
    algorithms: NetworkAlgorithms | None = None,
    modularity: float | None = None,
    cross_sector_share: float | None = None,
    network: Any | None = None,
) -> AgencyNetworkResult:
    """The collaboration network of a town's agencies: components named, bridges and articulation points of that
    network, sectors, the silo measure, and the co-service network apart.

    Parameters
    ----------
    G : networkx graph or TieGraph
        A town projection, or a :class:`~graphsvc.analysis.tiegraph.TieGraph`.
    min_level : CollaborationLevel or str
        The least level a collaboration needs to count (default 認知: any record).
    algorithms : NetworkAlgorithms, optional
        The graph engine (default :data:`graphsvc.analysis.algorithms.LOCAL`).
    modularity, cross_sector_share : float, optional
        The silo measure from :func:`graphsvc.analysis.silo.sector_silos`, when already computed (otherwise
        computed here).
    network : optional
        A store's network questions (:func:`graphsvc.store.network.network_of`: on Neo4j, Graph Data Science in
        the database). When given, and every recorded collaboration counts (``min_level`` 認知), the components,
        bridges and articulation points of the agency network are asked of it over ``Agency`` and
        ``COLLABORATES_WITH``; the rest (names, what each cut cuts off, sectors) is worked out here.

    Returns
    -------
    AgencyNetworkResult

    Examples
    --------
    Two triangles joined by one collaboration, and an agency on its own:

    >>> from graphsvc.store.common import build_projection
    >>> ags = [("Agency", f"A{i}", {"name": f"機関{i}", "sectors": [s]})
    ...        for i, s in enumerate(["elderly"] * 3 + ["child"] * 3 + ["health"])]
    >>> pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    >>> G = build_projection(ags, [("COLLABORATES_WITH", "Agency", f"A{a}", "Agency", f"A{b}", {})
    ...                            for a, b in pairs])
    >>> r = agency_network(G)
    >>> [c.size for c in r.components], [a.name for a in r.cut_off]
    ([6, 1], ['機関6'])
    >>> [a.agency.name for a in r.articulation_points], [(b.a.name, b.b.name) for b in r.bridges]
    (['機関2', '機関3'], [('機関2', '機関3')])
    >>> r.finding_ja
    '支援関係機関の連携網が2つに分かれています。最も大きなまとまり (6機関) とつながっていないのは、機関6 (連携の記録なし)です'
    """
    alg = algorithms or LOCAL
    T: TieGraph = tie_graph(G)
    floor = CollaborationLevel(min_level)
    ag_nodes = T.nodes_of(AGENCY)
    n = len(ag_nodes)
    pos = {int(a): i for i, a in enumerate(ag_nodes.tolist())}

    def node(i: int) -> AgencyNode:
        k = int(ag_nodes[i])
        secs = T.agency_sectors.get(k, ())
        sec = secs[0] if secs else UNKNOWN_SECTOR
        kind = T.agency_kind.get(k)
        try:
            kind_ja: str | None = AgencyKind(kind).ja if kind else None
        except ValueError:
            kind_ja = kind
        return AgencyNode(T.ids[k], T.names.get(k, T.ids[k]), sec, sector_ja(sec), kind_ja)

    nodes = [node(i) for i in range(n)]
    order_key = [(a.name, a.agency_id) for a in nodes]
    edges = [(pos[a], pos[b], r) for a, b, r in T.collaborations if r >= floor.rank]
    es = np.array([e[0] for e in edges], dtype=np.int64)
    ed = np.array([e[1] for e in edges], dtype=np.int64)
    level_of = {(a, b): r for a, b, r in edges}

    asked = _ask_network(network, T, ag_nodes, pos) if network is not None and floor.rank == 0 else None
    if asked is not None:
        comp, aps, brs = asked
    else:
        comp = alg.weak_components(n, es, ed) if n else np.zeros(0, dtype=np.int64)
    int(comp.max()) + 1 if n else 0
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(comp.tolist()):
        members[c].append(i)
    # households each agency serves (for the size of a component's reach)
    served: dict[int, int] = defaultdict(int)
    serving = np.isin(T.tie, [TIE_CODE["support"], TIE_CODE["case"]])
    support_arcs = np.flatnonzero(serving & (T.kind[T.src] == AGENCY) & (T.kind[T.dst] == HOUSEHOLD))
    for a in T.src[support_arcs].tolist():
        served[pos[a]] += 1
    comp_edges = Counter(int(comp[a]) for a, _, _ in edges)
    ranked = sorted(
        members,
        key=lambda c: (
            -len(members[c]),
            -sum(served[i] for i in members[c]),
            min(order_key[i] for i in members[c]),
        ),
    )
    main_c = ranked[0] if ranked else -1
    components: list[AgencyComponent] = []
    for no, c in enumerate(ranked):
        ms = sorted(members[c], key=lambda i: order_key[i])
        secs = Counter(nodes[i].sector for i in ms)
        components.append(
            AgencyComponent(
                component_id=f"N{no + 1}",
                agencies=tuple(nodes[i] for i in ms),
                size=len(ms),
                main=c == main_c,
                collaborations=comp_edges.get(c, 0),
                sectors=dict(sorted(secs.items(), key=lambda kv: _sector_key(kv[0]))),
                households_served=sum(served[i] for i in ms),
            )
        )
    cut_off_idx = sorted((i for i in range(n) if int(comp[i]) != main_c), key=lambda i: order_key[i])
    degree = Counter([a for a, _, _ in edges] + [b for _, b, _ in edges])
    alone = sorted((i for i in range(n) if degree[i] == 0), key=lambda i: order_key[i])

    # articulation points and bridges of this network, with what each cuts off
    if asked is None:
        aps = alg.articulation_points(n, es, ed) if len(edges) else []
        brs = alg.bridges(n, es, ed) if len(edges) else []
    adj: dict[int, set[int]] = defaultdict(set)
    for a, b, _ in edges:
        adj[a].add(b)
        adj[b].add(a)

    def parts_without(
        removed: int | None, cut_edge: tuple[int, int] | None, start_set: list[int]
    ) -> list[list[int]]:
        seen: set[int] = set() if removed is None else {removed}
        out: list[list[int]] = []
        for s0 in start_set:
            if s0 in seen:
                continue
            part = [s0]
            seen.add(s0)
            stack = [s0]
            while stack:
                u = stack.pop()
                for w in adj[u]:
                    if cut_edge is not None and {u, w} == set(cut_edge):
                        continue
                    if w not in seen:
                        seen.add(w)
                        part.append(w)
                        stack.append(w)
            out.append(part)
        return out

    cuts: list[AgencyCut] = []
    for ap in aps:
        ms = [i for i in members[int(comp[ap])] if i != ap]
        parts = sorted(parts_without(ap, None, ms), key=lambda p: (-len(p), min(order_key[i] for i in p)))
        cut = sorted((i for p in parts[1:] for i in p), key=lambda i: order_key[i])
        cuts.append(AgencyCut(nodes[ap], tuple(nodes[i] for i in cut), len(parts)))
    cuts.sort(key=lambda c: (-len(c.cut_off), c.agency.name, c.agency.agency_id))
    bridges: list[AgencyBridge] = []
    for a, b in brs:
        ms = members[int(comp[a])]
        parts = sorted(parts_without(None, (a, b), ms), key=lambda p: (-len(p), min(order_key[i] for i in p)))
        small = sorted(parts[-1], key=lambda i: order_key[i]) if len(parts) > 1 else []
        x, y = (a, b) if order_key[a] <= order_key[b] else (b, a)
        code, ja = _level_ja(level_of.get((min(a, b), max(a, b)), 0))
        bridges.append(AgencyBridge(nodes[x], nodes[y], code, ja, tuple(nodes[i] for i in small)))
    bridges.sort(key=lambda br: (-len(br.cut_off), br.a.name, br.b.name))

    # sectors
    sec_of = [a.sector for a in nodes]
    internal: Counter[str] = Counter()
    external: Counter[str] = Counter()
    linked: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in edges:
        sa, sb = sec_of[a], sec_of[b]
        if sa == sb:
            internal[sa] += 1
        else:
            external[sa] += 1
            external[sb] += 1
            linked[sa].add(sb)
            linked[sb].add(sa)
    ap_set = set(aps)
    cut_set = set(cut_off_idx)
    present = sorted(set(sec_of), key=_sector_key)
    sectors = tuple(
        SectorSummary(
            sector=s,
            sector_ja=sector_ja(s),
            agencies=sum(1 for x in sec_of if x == s),
            cut_off=sum(1 for i in cut_set if sec_of[i] == s),
            internal=internal[s],
            external=external[s],
            articulation_points=sum(1 for i in ap_set if sec_of[i] == s),
            linked_sectors=tuple(sorted(linked[s], key=_sector_key)),
        )
        for s in present
    )
    # the sector graph: which sectors work only with each other
    seen_s: set[str] = set()
    groups: list[tuple[str, ...]] = []
    for s in present:
        if s in seen_s:
            continue
        grp = {s}
        stack = [s]
        while stack:
            u = stack.pop()
            for w in linked[u]:
                if w not in grp:
                    grp.add(w)
                    stack.append(w)
        seen_s |= grp
        groups.append(tuple(sorted(grp, key=_sector_key)))
    groups.sort(key=lambda g: (-len(g), _sector_key(g[0])))

    # the co-service network, apart
    co_pairs = [(pos[a], pos[b], h) for (a, b), h in T.coserved.items() if a in pos and b in pos]
    co_s = np.array([p[0] for p in co_pairs], dtype=np.int64)
    co_d = np.array([p[1] for p in co_pairs], dtype=np.int64)
    co_components = int(alg.weak_components(n, co_s, co_d).max()) + 1 if n else 0
    co_alone = n - len(set(co_s.tolist()) | set(co_d.tolist()))
    mending = [
        CoServiceLink(*((nodes[a], nodes[b]) if order_key[a] <= order_key[b] else (nodes[b], nodes[a])), h)
        for a, b, h in co_pairs
        if int(comp[a]) != int(comp[b])
    ]
    mending.sort(key=lambda m: (-m.households, m.a.name, m.b.name))

    if modularity is None and cross_sector_share is None:
        from graphsvc.analysis.silo import sector_silos

        if not isinstance(G, TieGraph):
            sil = sector_silos(G)
            modularity, cross_sector_share = sil.modularity, sil.cross_sector_share
        else:
            modularity, cross_sector_share = _silo_from_edges(sec_of, edges)
    return AgencyNetworkResult(
        agencies=n,
        collaborations=len(edges),
        min_level=floor.value,
        components=tuple(components),
        cut_off=tuple(nodes[i] for i in cut_off_idx),
        without_collaboration=tuple(nodes[i] for i in alone),
        articulation_points=tuple(cuts),
        bridges=tuple(bridges),
        sectors=sectors,
        sector_groups=tuple(groups),
        modularity=modularity,
        cross_sector_share=cross_sector_share,
        coservice_components=co_components,
        coservice_alone=co_alone,
        coservice_pairs=len(co_pairs),
        mending_links=tuple(mending),
        ignored_collaborations=T.collab_ignored,
        engine=getattr(alg, "name", type(alg).__name__),
    )


def _ask_network(
    network: Any, T: TieGraph, ag_nodes: np.ndarray, pos: dict[int, int]
) -> tuple[np.ndarray, list[int], list[tuple[int, int]]] | None:
    """Components, articulation points and bridges of the agency network from a store's network questions, in
    this module's numbering (None when the answers name agencies the projection does not know)."""
    from graphsvc.domain.enums import NodeLabel, RelType

    ans = network.answers(
        [NodeLabel.AGENCY], [RelType.COLLABORATES_WITH], ("components", "bridges", "articulation_points")
    )
    index = {f"{NodeLabel.AGENCY.value}:{T.ids[int(a)]}": pos[int(a)] for a in ag_nodes.tolist()}
    n = len(index)
    comp = np.full(n, -1, dtype=np.int64)
    try:
        for c, members in enumerate(ans.components):
            for key in members:
                comp[index[key]] = c
        aps = sorted(index[k] for k in ans.articulation_points)
        brs = sorted(tuple(sorted((index[a], index[b]))) for a, b in ans.bridges)
    except KeyError:
        return None
    if (comp < 0).any():
        return None
    # number the components by first node, as weak_components does
    _, first = np.unique(comp, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[comp], aps, [(int(a), int(b)) for a, b in brs]


def _silo_from_edges(
    sec_of: list[str], edges: list[tuple[int, int, int]]
) -> tuple[float | None, float | None]:
    """Sector modularity and cross-sector share, weighted by level + 1 (as :mod:`graphsvc.analysis.silo`)."""
    if not edges:
        return None, None
    import networkx as nx
    from networkx.algorithms import community as nx_comm

    C = nx.Graph()
    C.add_nodes_from(range(len(sec_of)))
    for a, b, r in edges:
        C.add_edge(a, b, weight=r + 1)
    parts: dict[str, set[int]] = defaultdict(set)
    for i, s in enumerate(sec_of):
        parts[s].add(i)
    mod = round(float(nx_comm.modularity(C, list(parts.values()), weight="weight")), 6)
    total = sum(r + 1 for _, _, r in edges)
    cross = sum(r + 1 for a, b, r in edges if sec_of[a] != sec_of[b])
    return mod, round(cross / total, 6)
