"""The agency collaboration network as its own graph: constructed shapes whose answers are known, checked against
networkx and igraph computed here; the split finding names the agencies; random networks (hypothesis)."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis import analyse_all
from graphsvc.analysis.agency_network import agency_network
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.common import build_projection

R = RelType

SECTORS = ["elderly", "disability", "child", "poverty", "health", "community"]


def _town(
    n: int, pairs: list[tuple[int, int]], sectors: list[str] | None = None, **extra: object
) -> nx.MultiDiGraph:
    nodes = [
        (
            "Agency",
            f"A{i}",
            {"name": f"機関{i}", "sectors": [(sectors or SECTORS)[i % len(sectors or SECTORS)]]},
        )
        for i in range(n)
    ]
    rels = [
        ("COLLABORATES_WITH", "Agency", f"A{a}", "Agency", f"A{b}", {"level": "coordination"})
        for a, b in pairs
    ]
    return build_projection(nodes, rels)


def _check_against_networkx_and_igraph(r, n: int, pairs: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a, b) for a, b in pairs if a != b)
    h = ig.Graph(n=n, edges=[(a, b) for a, b in pairs if a != b])
    h.simplify()
    name = {i: f"機関{i}" for i in range(n)}
    got_components = {frozenset(a.name for a in c.agencies) for c in r.components}
    assert got_components == {frozenset(name[i] for i in c) for c in nx.connected_components(g)}
    assert got_components == {frozenset(name[i] for i in c) for c in h.connected_components()}
    assert {x.agency.name for x in r.articulation_points} == {name[i] for i in nx.articulation_points(g)}
    assert {x.agency.name for x in r.articulation_points} == {name[i] for i in h.articulation_points()}
    want_bridges = {frozenset((name[a], name[b])) for a, b in nx.bridges(g)}
    assert {frozenset((b.a.name, b.b.name)) for b in r.bridges} == want_bridges
    assert {frozenset((name[a], name[b])) for a, b in (h.es[i].tuple for i in h.bridges())} == want_bridges


def test_path() -> None:
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4)]
    r = agency_network(_town(5, pairs))
    _check_against_networkx_and_igraph(r, 5, pairs)
    assert not r.split and r.finding_ja is None
    assert [a.agency.name for a in r.articulation_points] == [
        "機関2",
        "機関1",
        "機関3",
    ]  # the middle cuts off most
    cut = r.articulation_points[0]
    # equal halves: the half holding the first name stays, the other is listed as cut off
    assert {a.name for a in cut.cut_off} == {"機関3", "機関4"} and cut.parts == 2
    assert "機関2 が欠けると連携網が2つに分かれ" in cut.reason_ja
    assert len(r.bridges) == 4


def test_star() -> None:
    pairs = [(0, i) for i in range(1, 6)]
    r = agency_network(_town(6, pairs))
    _check_against_networkx_and_igraph(r, 6, pairs)
    (hub,) = r.articulation_points
    assert hub.agency.name == "機関0" and hub.parts == 5 and len(hub.cut_off) == 4
    assert len(r.bridges) == 5 and all(len(b.cut_off) == 1 for b in r.bridges)


def test_two_triangles_joined_by_one_edge() -> None:
    pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    r = agency_network(_town(6, pairs))
    _check_against_networkx_and_igraph(r, 6, pairs)
    (b,) = r.bridges
    assert (b.a.name, b.b.name, b.level_ja) == ("機関2", "機関3", "連携")
    assert {a.name for a in b.cut_off} == {"機関3", "機関4", "機関5"}
    assert sorted(a.agency.name for a in r.articulation_points) == ["機関2", "機関3"]
    assert "途切れると" in b.reason_ja


def test_two_parts_is_the_first_finding_naming_the_cut_off_agencies(town) -> None:
    # health and child-rearing agencies that work only with each other; the rest around the 社協
    names = {
        "A-shakyo": ("社会福祉協議会", "community"),
        "A-houkatsu": ("地域包括支援センター", "elderly"),
        "A-jiritsu": ("自立相談支援機関", "poverty"),
        "A-hoken": ("保健センター", "health"),
        "A-kosodate": ("子育て世代包括支援センター", "child"),
    }
    ref = {i: town.agency(i, s, name=n) for i, (n, s) in names.items()}
    town.rel(R.COLLABORATES_WITH, ref["A-shakyo"], ref["A-houkatsu"], level="coordination")
    town.rel(R.COLLABORATES_WITH, ref["A-jiritsu"], ref["A-shakyo"], level="cooperation")
    town.rel(R.COLLABORATES_WITH, ref["A-hoken"], ref["A-kosodate"], level="integration")
    # a household both the 包括 and the 保健センター serve: the link that would mend the split
    h = town.household("H1")
    town.rel(R.SUPPORTED_BY, h, ref["A-houkatsu"], intensity=2)
    town.rel(R.SUPPORTED_BY, h, ref["A-hoken"], intensity=2)
    G = town.graph()
    r = agency_network(G)
    assert r.split and [c.size for c in r.components] == [3, 2]
    assert [a.name for a in r.cut_off] == ["保健センター", "子育て世代包括支援センター"]
    assert r.components[1].sectors_ja == "子ども・子育て、保健医療"
    assert r.sector_groups == (("elderly", "poverty", "community"), ("child", "health"))
    (m,) = r.mending_links
    assert {m.a.name, m.b.name} == {"地域包括支援センター", "保健センター"} and m.households == 1
    f = r.finding_ja
    assert f is not None
    assert f.startswith("支援関係機関の連携網が2つに分かれています")
    assert "保健センター、子育て世代包括支援センター (2機関、子ども・子育て、保健医療)" in f
    assert "つなぎ役" in f
    rep = analyse_all(G, reference_year=2024)
    assert rep.findings_ja[0] == f
    assert (
        "連携網は2つに分かれています" in rep.silo.summary_ja
    )  # no more 「分野を越えた連携があります」 alone


def test_min_level_and_self_collaboration() -> None:
    G = build_projection(
        [("Agency", f"A{i}", {"name": f"機関{i}"}) for i in range(3)],
        [
            ("COLLABORATES_WITH", "Agency", "A0", "Agency", "A1", {"level": "awareness"}),
            ("COLLABORATES_WITH", "Agency", "A1", "Agency", "A0", {"level": "integration"}),
            ("COLLABORATES_WITH", "Agency", "A1", "Agency", "A2", {"level": "cooperation"}),
            ("COLLABORATES_WITH", "Agency", "A2", "Agency", "A2", {"level": "integration"}),
        ],
    )
    r = agency_network(G)
    assert r.collaborations == 2 and not r.split and r.ignored_collaborations == 1
    strict = agency_network(G, min_level="coordination")
    assert strict.collaborations == 1 and [a.name for a in strict.cut_off] == ["機関2"]
    assert strict.without_collaboration[0].name == "機関2"


@pytest.mark.parametrize("n", [0, 1])
def test_no_agency_or_one(n: int) -> None:
    r = agency_network(_town(n, []))
    assert not r.split and r.finding_ja is None and r.articulation_points == () and r.bridges == ()
    assert r.summary_ja.startswith(
        "支援関係機関が登録されていない" if n == 0 else "機関 1、連携の記録がありません"
    )


def test_agencies_without_any_collaboration_are_each_cut_off() -> None:
    r = agency_network(_town(3, []))
    assert r.split and len(r.components) == 3 and len(r.without_collaboration) == 3
    assert "連携の記録なし" in (r.finding_ja or "")


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=1, max_value=14).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=25)
        )
    )
)
def test_every_reported_bridge_and_cut_splits_the_network(g: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = g
    r = agency_network(_town(n, pairs))
    _check_against_networkx_and_igraph(r, n, pairs)
    G = nx.Graph()
    G.add_nodes_from(f"機関{i}" for i in range(n))
    G.add_edges_from((f"機関{a}", f"機関{b}") for a, b in pairs if a != b)
    base = nx.number_connected_components(G)
    for b in r.bridges:
        H = G.copy()
        H.remove_edge(b.a.name, b.b.name)
        assert nx.number_connected_components(H) == base + 1
        cut = {a.name for a in b.cut_off}
        assert any(set(c) == cut for c in nx.connected_components(H))
    for c in r.articulation_points:
        H = G.copy()
        H.remove_node(c.agency.name)
        assert nx.number_connected_components(H) > base
        rest = (
            set(nx.node_connected_component(G, c.agency.name)) - {c.agency.name} - {x.name for x in c.cut_off}
        )
        assert all(not nx.has_path(H, x.name, y) for x in c.cut_off for y in rest)
    assert len(r.cut_off) == n - max((c.size for c in r.components), default=0)


def test_a_stores_network_questions_give_the_same_network(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The agency network asked of a store's network questions (the networkx reference here; GDS on Neo4j, shown
    equal to it in tests/integration/store) equals the one computed from the projection."""
    from graphsvc.store.embedded import EmbeddedStore
    from graphsvc.store.network import NetworkxNetwork
    from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

    pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3), (6, 7)]
    G = _town(9, pairs)
    nodes = [
        NodeRow(NodeLabel.AGENCY, d["id"], {k: v for k, v in d.items() if k != "label"})
        for _, d in G.nodes(data=True)
    ]
    rels = [
        RelRow(
            R.COLLABORATES_WITH,
            NodeRef(NodeLabel.AGENCY, f"A{a}"),
            NodeRef(NodeLabel.AGENCY, f"A{b}"),
            {"level": "coordination"},
        )
        for a, b in pairs
    ]
    with EmbeddedStore(tmp_path / "n.sqlite3", "n") as store:
        store.write(WriteBatch(nodes=nodes, rels=rels))
        asked: list[object] = []

        class Recording(NetworkxNetwork):
            def answers(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                asked.append(args)
                return super().answers(*args, **kwargs)

        here = agency_network(store.projection())
        there = agency_network(store.projection(), network=Recording(store))
    assert asked == [
        ([NodeLabel.AGENCY], [R.COLLABORATES_WITH], ("components", "bridges", "articulation_points"))
    ]
    assert there.to_dict() == here.to_dict()
    assert [c.size for c in there.components] == [6, 2, 1] and len(there.bridges) == 2
