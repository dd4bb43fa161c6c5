"""Single points of failure in the support network: who is left with no support if one agency or supporter
drops out, and the articulation points and bridges of the network.

The *support network* is the undirected projection over households, persons, agencies, supporters and venues:
MEMBER_OF, SUPPORTED_BY, VISITS, ATTENDS, KNOWS, NEIGHBOUR_OF, COLLABORATES_WITH, a case contracted into an edge
between what it is ABOUT and each agency that handles it (open cases), and a supporter joined to the agency of its
``agency_id``.

A household's *providers* are the agencies and supporters that support it or a member directly (SUPPORTED_BY,
HANDLED_BY of an open case, VISITS). It *depends* on a provider X when every one of its providers is X or a
supporter of X (``Supporter.agency_id``): if X stops, the household has no formal support left. Providers are
ranked by the number of households that depend on them.

Store-side: households with exactly one provider are a plain count in Cypher
(``MATCH (h:Household) OPTIONAL MATCH …`` with ``count(DISTINCT p) = 1``); articulation points and bridges need
the whole network (or Neo4j GDS, which has ``gds.articulationPoints`` and ``gds.bridges``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from graphsvc.analysis.common import Result, TownIndex, index_of
from graphsvc.domain.enums import NodeLabel, RelType

__all__ = [
    "FragilityResult",
    "NodeBrief",
    "SinglePoint",
    "SupportBridge",
    "single_points_of_failure",
    "support_fragility",
    "support_network",
]

_L = NodeLabel
_R = RelType
NETWORK_LABELS = frozenset(x.value for x in (_L.HOUSEHOLD, _L.PERSON, _L.AGENCY, _L.SUPPORTER, _L.VENUE))
PROVIDER_LABELS = frozenset(x.value for x in (_L.AGENCY, _L.SUPPORTER))
_NETWORK_RELS = (
    _R.MEMBER_OF,
    _R.SUPPORTED_BY,
    _R.VISITS,
    _R.ATTENDS,
    _R.KNOWS,
    _R.NEIGHBOUR_OF,
    _R.COLLABORATES_WITH,
)


@dataclass(frozen=True)
class NodeBrief(Result):
    """A node as results name it."""

    label: str
    label_ja: str
    id: str
    name: str | None


@dataclass(frozen=True)
class SinglePoint(Result):
    """A provider whose loss leaves households with no formal support, with those households."""

    _derived = ("reason_ja", "reason_en")

    provider: NodeBrief
    households: int
    household_ids: tuple[str, ...]
    sole_provider: int
    risk_households: int

    @property
    def reason_ja(self) -> str:
        who = self.provider.name or self.provider.id
        risk = f" (うちリスクのある世帯 {self.risk_households})" if self.risk_households else ""
        return f"{who} ({self.provider.label_ja}) が欠けると {self.households}世帯が支援を失う{risk}"

    @property
    def reason_en(self) -> str:
        who = self.provider.name or self.provider.id
        return f"{self.households} households lose all formal support if {who} drops out"


@dataclass(frozen=True)
class SupportBridge(Result):
    """A bridge of the support network between a provider or venue and a household or person."""

    provider: NodeBrief
    node: NodeBrief


@dataclass(frozen=True)
class FragilityResult(Result):
    """Single points of failure, and the articulation points and bridges of the support network."""

    _derived = ("summary_ja",)

    single_points: tuple[SinglePoint, ...]
    households: int
    households_with_one_provider: int
    households_without_provider: int
    articulation_points: tuple[NodeBrief, ...]
    articulation_points_total: int
    support_bridges: tuple[SupportBridge, ...]
    bridges_total: int

    @property
    def summary_ja(self) -> str:
        top = self.single_points[0] if self.single_points else None
        head = f"最大は {top.provider.name or top.provider.id} の {top.households}世帯" if top else "該当なし"
        return (
            f"支援の担い手が1か所だけの世帯 {self.households_with_one_provider}、"
            f"担い手のいない世帯 {self.households_without_provider}。単一障害点: {head}"
        )


def _brief(idx: TownIndex, key: str) -> NodeBrief:
    label = idx.label_of[key]
    try:
        ja = NodeLabel(label).ja
    except ValueError:
        ja = label
    return NodeBrief(label, ja, idx.ext_id(key), idx.name(key))


def _supporter_agency(idx: TownIndex) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in idx.nodes(_L.SUPPORTER):
        aid = idx.attrs[s].get("agency_id")
        if aid is not None:
            key = f"{_L.AGENCY.value}:{aid}"
            if key in idx.attrs:
                out[s] = key
    return out


def _network(idx: TownIndex) -> nx.Graph:
    U = nx.Graph()
    U.add_nodes_from(
        (k, {"label": idx.label_of[k]}) for lbl in NETWORK_LABELS for k in idx.by_label.get(lbl, ())
    )
    for t in _NETWORK_RELS:
        U.add_edges_from((u, v) for u, v, _ in idx.edges[t.value] if u != v)
    abouts: dict[str, list[str]] = defaultdict(list)
    for c, x, _ in idx.edges[_R.ABOUT.value]:
        abouts[c].append(x)
    for c, handlers in idx.handlers.items():
        if idx.case_open(c):
            U.add_edges_from((x, a) for x in abouts.get(c, ()) for a, _ in handlers)
    U.add_edges_from(_supporter_agency(idx).items())
    return U


def support_network(G: nx.Graph) -> nx.Graph:
    """The undirected support network of a town projection (see the module docstring).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Agency", "A1", {"name": "包括"}), ("Case", "C1", {}),
    ...      ("Employer", "E1", {"name": "旅館"})],
    ...     [("ABOUT", "Case", "C1", "Household", "H1", {}),
    ...      ("HANDLED_BY", "Case", "C1", "Agency", "A1", {})],
    ... )
    >>> U = support_network(G)
    >>> sorted(U.nodes()), U.has_edge("Household:H1", "Agency:A1")
    (['Agency:A1', 'Household:H1'], True)
    """
    return _network(index_of(G))


def _providers(idx: TownIndex) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for h, agencies in idx.served_by(include_closed=False).items():
        out[h].update(agencies)
    for s, x, _ in idx.edges[_R.VISITS.value]:
        hh = idx.household_keys_of(x)
        if hh is not None:
            out[hh].add(s)
    return out


def _dependents(idx: TownIndex) -> tuple[dict[str, list[str]], dict[str, int], dict[str, set[str]]]:
    providers = _providers(idx)
    affil = _supporter_agency(idx)
    dep: dict[str, list[str]] = defaultdict(list)
    sole: dict[str, int] = defaultdict(int)
    for h, ps in providers.items():
        if len(ps) == 1:
            (p,) = ps
            dep[p].append(h)
            sole[p] += 1
        roots = {affil.get(p, p) for p in ps}
        if len(roots) == 1:
            (r,) = roots
            if ps != {r}:
                dep[r].append(h)
    return dep, sole, providers


def single_points_of_failure(G: nx.Graph) -> tuple[SinglePoint, ...]:
    """Agencies and supporters whose loss leaves households with no formal support, most households first.

    Parameters
    ----------
    G : networkx graph
        A town projection.

    Returns
    -------
    tuple of SinglePoint
        Each with the household ids that depend on the provider.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Household", "H2", {}),
    ...      ("Supporter", "S1", {"name": "民生委員 山田"}), ("Agency", "A1", {"name": "包括"})],
    ...     [("VISITS", "Supporter", "S1", "Household", "H1", {}),
    ...      ("VISITS", "Supporter", "S1", "Household", "H2", {}),
    ...      ("SUPPORTED_BY", "Household", "H2", "Agency", "A1", {})],
    ... )
    >>> [(p.provider.id, p.household_ids) for p in single_points_of_failure(G)]
    [('S1', ('H1',))]
    """
    return _single_points(index_of(G))


def _single_points(idx: TownIndex) -> tuple[SinglePoint, ...]:
    dep, sole, _ = _dependents(idx)
    out: list[SinglePoint] = []
    for p, hs in dep.items():
        risky = sum(1 for h in hs if idx.attrs[h].get("flags"))
        out.append(
            SinglePoint(
                provider=_brief(idx, p),
                households=len(hs),
                household_ids=tuple(sorted(idx.ext_id(h) for h in hs)),
                sole_provider=sole.get(p, 0),
                risk_households=risky,
            )
        )
    out.sort(key=lambda s: (-s.households, -s.risk_households, s.provider.label, s.provider.id))
    return tuple(out)


def support_fragility(G: nx.Graph, *, structural: bool = True) -> FragilityResult:
    """Single points of failure, and the articulation points and bridges of the support network.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    structural : bool
        Compute articulation points and bridges (linear time, but the slowest part on a large town).

    Returns
    -------
    FragilityResult
        ``single_points`` ranked by dependent households; ``articulation_points`` among agencies, supporters and
        venues; ``support_bridges``: bridges between a provider or venue and a household or person (a household
        reached only through it).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Household", "H2", {}), ("Supporter", "S1", {"name": "山田"})],
    ...     [("VISITS", "Supporter", "S1", "Household", h, {}) for h in ("H1", "H2")],
    ... )
    >>> r = support_fragility(G)
    >>> [a.id for a in r.articulation_points], r.bridges_total
    (['S1'], 2)
    >>> r.single_points[0].reason_ja
    '山田 (支援者) が欠けると 2世帯が支援を失う'
    """
    idx = index_of(G)
    spof = _single_points(idx)
    _, _, providers = _dependents(idx)
    households = idx.nodes(_L.HOUSEHOLD)
    one = sum(1 for h in households if len(providers.get(h, ())) == 1)
    none = sum(1 for h in households if not providers.get(h))
    aps: list[NodeBrief] = []
    ap_total = 0
    sbridges: list[SupportBridge] = []
    b_total = 0
    if structural:
        U = _network(idx)
        side = PROVIDER_LABELS | {_L.VENUE.value}
        people = {_L.HOUSEHOLD.value, _L.PERSON.value}
        # one depth-first search gives both: a node in two or more biconnected components is an articulation
        # point, and a component of a single edge is a bridge (nx.bridges' chain decomposition is 3× slower)
        in_components: Counter[str] = Counter()
        bridges: list[tuple[str, str]] = []
        for comp in nx.biconnected_component_edges(U):
            ends = {x for e in comp for x in e}
            in_components.update(ends)
            if len(comp) == 1:
                bridges.append(comp[0])
        for n, times in in_components.items():
            if times > 1:
                ap_total += 1
                if idx.label_of[n] in side:
                    aps.append(_brief(idx, n))
        for u, v in bridges:
            b_total += 1
            lu, lv = idx.label_of[u], idx.label_of[v]
            if lu in side and lv in people:
                sbridges.append(SupportBridge(_brief(idx, u), _brief(idx, v)))
            elif lv in side and lu in people:
                sbridges.append(SupportBridge(_brief(idx, v), _brief(idx, u)))
        aps.sort(key=lambda b: (b.label, b.id))
        sbridges.sort(key=lambda b: (b.provider.label, b.provider.id, b.node.label, b.node.id))
    return FragilityResult(
        single_points=spof,
        households=len(households),
        households_with_one_provider=one,
        households_without_provider=none,
        articulation_points=tuple(aps),
        articulation_points_total=ap_total,
        support_bridges=tuple(sbridges),
        bridges_total=b_total,
    )
