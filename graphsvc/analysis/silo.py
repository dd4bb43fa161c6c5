"""縦割り: how much the agency collaboration network keeps to its sectors.

The collaboration network has every agency as a node and one undirected edge per pair joined by
COLLABORATES_WITH in either direction, weighted by the highest level on PARTNER's ladder (認知 1, 協力 2, 連携 3,
統合 4; or unweighted). Partitioning it by each agency's primary sector (the first of its ``sectors``; agencies
with none go into an ``unknown`` bucket, reported) gives the *sector modularity*: high (by the usual rule of
thumb, 0.3 or more) means ties stay inside sectors, which is 縦割り; near 0 or below means ties cross sectors as
often as chance or more.

Beside it, communities are detected with Louvain (seeded) or greedy modularity, and compared with the sectors by
the adjusted Rand index (computed as scikit-learn's ``adjusted_rand_score`` does, without its 2-second import;
1 = communities are exactly the sectors) and purity (the share of agencies
in their community's main sector).

Store-side: the share of collaboration ties that cross sectors is a plain count in Cypher
(``MATCH (a:Agency)-[:COLLABORATES_WITH]-(b:Agency) WHERE a.sectors[0] <> b.sectors[0] …``); modularity and
communities run here (the agency network is small).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import numpy as np
from networkx.algorithms import community as nx_comm

from graphsvc.analysis.common import UNKNOWN_SECTOR, Result, TownIndex, index_of, sector_ja
from graphsvc.domain.enums import CollaborationLevel, NodeLabel, RelType, Sector

__all__ = [
    "SILO_THRESHOLD",
    "Community",
    "SectorGroup",
    "SiloResult",
    "adjusted_rand_index",
    "collaboration_network",
    "sector_modularity",
    "sector_silos",
]

_L = NodeLabel
_R = RelType
SILO_THRESHOLD = 0.3
"""Sector modularity at or above which the network is called 縦割り (siloed)."""


@dataclass(frozen=True)
class SectorGroup(Result):
    """The agencies of one sector and their ties inside and across the sector."""

    sector: str
    sector_ja: str
    agency_ids: tuple[str, ...]
    internal_ties: int
    external_ties: int
    linked_sectors: tuple[str, ...]


@dataclass(frozen=True)
class Community(Result):
    """A detected community of agencies and the sectors it mixes."""

    agency_ids: tuple[str, ...]
    sectors: dict[str, int]
    main_sector: str
    main_sector_ja: str
    purity: float


@dataclass(frozen=True)
class SiloResult(Result):
    """Sector modularity of the collaboration network, detected communities and how they align with sectors."""

    _derived = ("summary_ja",)

    agencies: int
    ties: int
    modularity: float | None
    siloed: bool | None
    cross_sector_share: float | None
    sectors: tuple[SectorGroup, ...]
    communities: tuple[Community, ...]
    community_modularity: float | None
    adjusted_rand: float | None
    purity: float | None
    method: str
    isolated_agencies: tuple[str, ...]
    agencies_without_sector: tuple[str, ...]
    components: int = 1

    @property
    def summary_ja(self) -> str:
        if self.modularity is None:
            return f"機関 {self.agencies}、連携の記録がないため縦割りの度合いは測れません"
        if self.siloed:
            verdict = "分野内の連携に偏っています (縦割り)"
        elif self.cross_sector_share:
            verdict = "分野を越えた連携があります"
        else:
            verdict = "分野を越えた連携の記録はありません"
        if self.components > 1:
            verdict += f"。ただし連携網は{self.components}つに分かれています"
        cross = (
            f"、分野をまたぐ連携 {self.cross_sector_share:.0%}" if self.cross_sector_share is not None else ""
        )
        return f"分野別モジュラリティ {self.modularity:.2f}{cross}: {verdict}"


def adjusted_rand_index(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float:
    """The adjusted Rand index of two labelings of the same items (as ``sklearn.metrics.adjusted_rand_score``,
    without importing scikit-learn: 1 for identical partitions, about 0 for chance agreement).

    Examples
    --------
    >>> adjusted_rand_index(["a", "a", "b", "b"], [1, 1, 0, 0])
    1.0
    >>> round(adjusted_rand_index(["a", "a", "b", "b"], [0, 1, 0, 1]), 3)
    -0.5
    """
    if len(labels_a) != len(labels_b):
        raise ValueError("the two labelings must have the same length")
    n = len(labels_a)
    if n < 2:
        return 1.0
    _, ia = np.unique(np.asarray([str(x) for x in labels_a]), return_inverse=True)
    _, ib = np.unique(np.asarray([str(x) for x in labels_b]), return_inverse=True)
    table = np.zeros((int(ia.max()) + 1, int(ib.max()) + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) // 2).sum())

    index = pairs(table)
    sum_a, sum_b = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def match_weight(level: object) -> int:
    try:
        return CollaborationLevel(str(level)).rank + 1
    except ValueError:
        return 1


def _collab(idx: TownIndex, weighted: bool) -> nx.Graph:
    C = nx.Graph()
    for a in idx.nodes(_L.AGENCY):
        C.add_node(a, sector=idx.primary_sector(a))
    for a, b, d in idx.edges[_R.COLLABORATES_WITH.value]:
        if a == b:
            continue
        w = match_weight(d.get("level", CollaborationLevel.AWARENESS.value)) if weighted else 1
        if C.has_edge(a, b):
            C[a][b]["weight"] = max(C[a][b]["weight"], w)
        else:
            C.add_edge(a, b, weight=w)
    return C


def collaboration_network(G: nx.Graph, *, weighted: bool = True) -> nx.Graph:
    """The undirected agency collaboration network, ``weight`` = highest ladder level + 1 (or 1), ``sector`` =
    primary sector.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Agency", "A1", {"name": "a", "sectors": ["elderly"]}), ("Agency", "A2", {"name": "b"})],
    ...     [("COLLABORATES_WITH", "Agency", "A1", "Agency", "A2", {"level": "coordination"})],
    ... )
    >>> C = collaboration_network(G)
    >>> C["Agency:A1"]["Agency:A2"]["weight"], C.nodes["Agency:A2"]["sector"]
    (3, 'unknown')
    """
    return _collab(index_of(G), weighted)


def _partition(C: nx.Graph) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = defaultdict(set)
    for n, s in C.nodes(data="sector"):
        parts[str(s)].add(n)
    return parts


def sector_modularity(G: nx.Graph, *, weighted: bool = True) -> float | None:
    """Modularity of the agency collaboration network partitioned by primary sector (None without ties).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> ags = [("Agency", f"A{i}", {"name": f"a{i}", "sectors": [s]})
    ...        for i, s in enumerate(["elderly", "elderly", "child", "child"])]
    >>> siloed = build_projection(ags, [("COLLABORATES_WITH", "Agency", "A0", "Agency", "A1", {}),
    ...                                 ("COLLABORATES_WITH", "Agency", "A2", "Agency", "A3", {})])
    >>> mixed = build_projection(ags, [("COLLABORATES_WITH", "Agency", "A0", "Agency", "A2", {}),
    ...                                ("COLLABORATES_WITH", "Agency", "A1", "Agency", "A3", {})])
    >>> sector_modularity(siloed), sector_modularity(mixed)
    (0.5, -0.5)
    """
    C = _collab(index_of(G), weighted)
    if C.number_of_edges() == 0:
        return None
    return float(nx_comm.modularity(C, list(_partition(C).values()), weight="weight"))


def sector_silos(
    G: nx.Graph,
    *,
    weighted: bool = True,
    method: Literal["louvain", "greedy"] = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
) -> SiloResult:
    """Sector modularity (縦割り), detected communities, and their alignment with sectors.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    weighted : bool
        Weight ties by their collaboration level (default) or count them alike.
    method : {"louvain", "greedy"}
        ``louvain_communities`` (seeded) or ``greedy_modularity_communities``.
    seed : int
        The Louvain seed (results are reproducible).
    resolution : float
        The modularity resolution of community detection.

    Returns
    -------
    SiloResult
        ``modularity`` by sector (None when there is no tie), ``siloed`` (modularity ≥ :data:`SILO_THRESHOLD`),
        ``cross_sector_share`` (weighted share of ties joining two sectors), per-sector groups, communities,
        ``adjusted_rand`` and ``purity`` of the communities against the sectors.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> ags = [("Agency", f"A{i}", {"name": f"a{i}", "sectors": [s]})
    ...        for i, s in enumerate(["elderly", "elderly", "child", "child"])]
    >>> G = build_projection(ags, [("COLLABORATES_WITH", "Agency", "A0", "Agency", "A1", {}),
    ...                            ("COLLABORATES_WITH", "Agency", "A2", "Agency", "A3", {})])
    >>> r = sector_silos(G)
    >>> r.modularity, r.siloed, r.cross_sector_share, r.adjusted_rand
    (0.5, True, 0.0, 1.0)
    >>> r.summary_ja
    '分野別モジュラリティ 0.50、分野をまたぐ連携 0%: 分野内の連携に偏っています (縦割り)。ただし連携網は2つに分かれています'
    """
    idx = index_of(G)
    C = _collab(idx, weighted)
    parts = _partition(C)
    sector_of = dict(C.nodes(data="sector"))
    ext = idx.ext_id
    modularity: float | None = None
    cross: float | None = None
    if C.number_of_edges():
        modularity = round(float(nx_comm.modularity(C, list(parts.values()), weight="weight")), 6)
        total = sum(w for _, _, w in C.edges(data="weight"))
        crossing = sum(w for u, v, w in C.edges(data="weight") if sector_of[u] != sector_of[v])
        cross = round(crossing / total, 6) if total else None

    internal: Counter[str] = Counter()
    external: Counter[str] = Counter()
    linked: dict[str, set[str]] = defaultdict(set)
    for u, v in C.edges():
        su, sv = sector_of[u], sector_of[v]
        if su == sv:
            internal[su] += 1
        else:
            external[su] += 1
            external[sv] += 1
            linked[su].add(sv)
            linked[sv].add(su)
    order = {s.value: i for i, s in enumerate(Sector)}
    groups = tuple(
        SectorGroup(
            sector=s,
            sector_ja=sector_ja(s),
            agency_ids=tuple(sorted(ext(a) for a in members)),
            internal_ties=internal[s],
            external_ties=external[s],
            linked_sectors=tuple(sorted(linked[s])),
        )
        for s, members in sorted(
            parts.items(), key=lambda kv: (kv[0] == UNKNOWN_SECTOR, order.get(kv[0], len(order)), kv[0])
        )
    )

    comms: list[set[str]] = []
    comm_mod: float | None = None
    if C.number_of_nodes():
        if method == "louvain":
            comms = [
                set(c)
                for c in nx_comm.louvain_communities(C, weight="weight", seed=seed, resolution=resolution)
            ]
        elif method == "greedy":
            comms = [
                set(c)
                for c in nx_comm.greedy_modularity_communities(C, weight="weight", resolution=resolution)
            ]
        else:
            raise ValueError(f"unknown community method {method!r}")
        if C.number_of_edges():
            comm_mod = round(float(nx_comm.modularity(C, comms, weight="weight")), 6)
    communities: list[Community] = []
    hit = 0
    for c in comms:
        counts = Counter(sector_of[a] for a in c)
        main, n_main = max(counts.items(), key=lambda kv: (kv[1], kv[0] != UNKNOWN_SECTOR, kv[0]))
        hit += n_main
        communities.append(
            Community(
                agency_ids=tuple(sorted(ext(a) for a in c)),
                sectors=dict(sorted(counts.items())),
                main_sector=main,
                main_sector_ja=sector_ja(main),
                purity=round(n_main / len(c), 6),
            )
        )
    communities.sort(key=lambda c: (-len(c.agency_ids), c.agency_ids))
    n = C.number_of_nodes()
    ari: float | None = None
    if n >= 2 and comms:
        nodes = list(C)
        comm_of = {a: i for i, c in enumerate(comms) for a in c}
        ari = round(adjusted_rand_index([sector_of[a] for a in nodes], [comm_of[a] for a in nodes]), 6)
    return SiloResult(
        agencies=n,
        ties=C.number_of_edges(),
        modularity=modularity,
        siloed=None if modularity is None else modularity >= SILO_THRESHOLD,
        cross_sector_share=cross,
        sectors=groups,
        communities=tuple(communities),
        community_modularity=comm_mod,
        adjusted_rand=ari,
        purity=round(hit / n, 6) if n and comms else None,
        method=method,
        isolated_agencies=tuple(sorted(ext(a) for a in C if C.degree(a) == 0)),
        components=nx.number_connected_components(C) if n else 0,
        agencies_without_sector=tuple(sorted(ext(a) for a, s in idx.agency_sectors.items() if not s)),
    )
