"""Reachability over typed, directed ties with trust: hand-built towns whose answers are known by construction,
checked against networkx computed here, random towns (hypothesis), and bad input."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.analysis import analyse_all
from graphsvc.analysis.isolation import outreach_list
from graphsvc.analysis.reachability import reachability
from graphsvc.analysis.tiegraph import TieGraphBuilder, tie_graph
from graphsvc.domain.enums import RelType
from graphsvc.store.common import build_projection

R = RelType


# ---------------------------------------------------------------- an independent reference


def reference_graph(G: nx.MultiDiGraph) -> nx.DiGraph:
    """The documented carry rules written out again, independently of the analysis: persons stay nodes (joined
    to their household both ways), cases join what they are about to their agencies directly."""
    D = nx.DiGraph()
    D.add_nodes_from(n for n, d in G.nodes(data=True) if d.get("label") not in ("Case", "Area"))
    about: dict[str, list[str]] = {}
    handlers: dict[str, list[str]] = {}
    hosts: dict[str, str] = {}
    for u, v, k in G.edges(keys=True):
        if k == "HOSTED_BY":
            hosts[u] = v
    for u, v, k, d in G.edges(keys=True, data=True):
        if u == v:
            continue
        if k in ("MEMBER_OF", "SUPPORTED_BY", "VISITS", "ATTENDS"):
            D.add_edge(u, v)
            D.add_edge(v, u)
        elif k in ("NEIGHBOUR_OF", "KNOWS"):
            rel = d.get("relation") or ("neighbour" if k == "NEIGHBOUR_OF" else "acquaintance")
            D.add_edge(u, v)
            if rel in ("kin", "friend", "neighbour"):
                D.add_edge(v, u)
        elif k == "ABOUT":
            about.setdefault(u, []).append(v)
        elif k == "HANDLED_BY":
            handlers.setdefault(u, []).append(v)
        elif k == "PLACED_IN" and d.get("status") != "declined":
            h = hosts.get(v, v)
            D.add_edge(u, h)
            D.add_edge(h, u)
    for c, xs in about.items():
        for x in xs:
            for a in handlers.get(c, []):
                D.add_edge(x, a)
                D.add_edge(a, x)
    for n, d in G.nodes(data=True):
        if d.get("label") == "Supporter" and d.get("agency_id") and f"Agency:{d['agency_id']}" in G:
            D.add_edge(n, f"Agency:{d['agency_id']}")
            D.add_edge(f"Agency:{d['agency_id']}", n)
    return D


def reached_from(D: nx.DiGraph, sources: list[str]) -> dict[str, int]:
    """Hops from the nearest source, counting a step between members of one household as no step."""
    F = nx.DiGraph()
    fold = {}
    for u, v in D.edges():
        if u.startswith("Person:") and v.startswith("Household:") and D.has_edge(v, u):
            fold[u] = v
    for u, v in D.edges():
        a, b = fold.get(u, u), fold.get(v, v)
        if a != b:
            F.add_edge(a, b)
    F.add_nodes_from(fold.get(n, n) for n in D.nodes())
    return nx.multi_source_dijkstra_path_length(F, set(sources), weight=lambda *_: 1) if sources else {}


# ---------------------------------------------------------------- towns known by construction


def test_chain_of_three_neighbours_to_a_supported_household(town) -> None:
    ag = town.agency("A1", "elderly", name="北地区地域包括支援センター")
    h0 = town.household("H0")
    town.rel(R.SUPPORTED_BY, town.person("P0", h0), ag, intensity=2)
    hs = [h0] + [town.household(f"H{i}") for i in (1, 2, 3)]
    for a, b, strength in ((hs[0], hs[1], "strong"), (hs[1], hs[2], None), (hs[2], hs[3], "weak")):
        if strength is None:
            town.rel(R.NEIGHBOUR_OF, a, b)
        else:
            town.rel(R.NEIGHBOUR_OF, a, b, strength=strength)
    G = town.graph()
    r = reachability(G, k=3)
    assert (r.direct, r.indirect, r.beyond_k, r.unreachable, r.no_tie) == (1, 2, ("H3",), (), ())
    assert r.hops["agency"] == {"1": 1, "2": 1, "3": 1, "4": 1}
    assert r.clusters == ()
    far = r.chain_of("H3")
    assert far is not None and far.hops == 4
    assert [s.to.id for s in far.steps] == ["H0", "H1", "H2", "H3"]
    assert [s.carrier.display_ja for s in far.steps] == [
        "北地区地域包括支援センター",
        "世帯H0",
        "世帯H1",
        "世帯H2",
    ]
    assert [(s.tie_ja, s.trust_ja) for s in far.steps] == [
        ("支援を受ける", "強い"),
        ("近所", "強い"),
        ("近所", "不明"),
        ("近所", "弱い"),
    ]
    assert far.steps[0].via_to == "P0"
    assert (far.weakest, far.weak_steps, far.unknown_steps) == ("weak", 1, 1)
    # the same answers from networkx on the reference graph
    ref = reached_from(reference_graph(G), ["Agency:A1"])
    for h in ("H0", "H1", "H2", "H3"):
        assert r.chain_of(h).hops == ref[f"Household:{h}"]  # type: ignore[union-attr]
    # every household without a direct tie, as objects, whatever detail_limit kept
    capped = reachability(G, k=3, detail_limit=1)
    assert len(capped.details) == 1 and capped.details_total == 3
    assert [h.household_id for h in capped.iter_reach()] == ["H3", "H2", "H1"]
    # with k = 4 the last one is reached too; with strong ties only, only H1 is
    assert reachability(G, k=4).beyond_k == ()
    strong = reachability(G, k=3, ties="strong")
    assert strong.direct == 1 and strong.indirect == 1 and strong.beyond_k == ("H2", "H3")
    assert strong.unreachable == ("H2", "H3")


def test_cluster_with_no_agency_and_its_entry_point(town) -> None:
    ag = town.agency("A1", "elderly")
    town.rel(R.SUPPORTED_BY, town.household("H-far"), ag, intensity=3)
    # five households tied among themselves, none to an agency; an informal supporter visits one of them
    c = {i: town.household(f"C{i}", flags=["single_elderly"] if i == 3 else []) for i in range(1, 6)}
    p = {i: town.person(f"CP{i}", c[i]) for i in range(1, 6)}
    town.rel(R.KNOWS, p[1], p[2], relation="kin", strength="strong")
    town.rel(R.KNOWS, p[2], p[3], relation="friend")
    town.rel(R.NEIGHBOUR_OF, c[3], c[4], strength="weak")
    town.rel(R.KNOWS, p[4], p[5])  # an acquaintance: CP4 knows CP5, one way
    sup = town.supporter("S1", name="見守りサポーター 田中", kind="supporter")
    town.rel(R.VISITS, sup, c[1], per_month=2)
    town.household("H-alone")
    G = town.graph()
    r = reachability(G, k=3)
    (cl,) = r.clusters
    assert (cl.cluster_id, cl.households, cl.nodes) == ("G1", 5, 6)
    assert cl.household_ids == ("C1", "C2", "C3", "C4", "C5") and cl.risk_households == 1
    assert cl.supporters == ("サポーター S1",)  # a supporter is shown by kind and id, never by name
    assert r.unreachable == ("C1", "C2", "C3", "C4", "C5") and r.no_tie == ("H-alone",)
    # brute force in networkx: from each member, households within 3 steps along the carry direction
    D = reference_graph(G)
    members = ["Supporter:S1", *(f"Household:C{i}" for i in range(1, 6))]
    best = []
    for m in members:
        dist = reached_from(D, [m])
        near = {n: d for n, d in dist.items() if n.startswith("Household:C") and d <= 3}
        best.append((-len(near), sum(near.values()), m))
    best.sort()
    assert cl.entry_reaches == -best[0][0]
    assert f"{cl.entry.label}:{cl.entry.id}" in {m for s, t, m in best if (s, t) == best[0][:2]}
    assert cl.entry.id == "C3" and cl.entry_reaches == 5  # the middle household reaches all five in 2 steps
    assert "から3歩以内に 5/5世帯へ届く" in cl.entry_reason_ja
    # the supporter's chain is the way in for C1
    inf = r.chain_of("C1", "informal")
    assert inf is not None and inf.hops == 1 and inf.start.display_ja == "サポーター S1"
    assert "田中" not in json.dumps(r.to_dict(), ensure_ascii=False)
    # outreach ranks the cluster above households that only have weak ties
    iso = outreach_list(G, reference_year=2024, reach=r)
    assert iso.cluster == ("C1", "C2", "C3", "C4", "C5")
    top = next(x for x in iso.outreach if x.household_id == "C3")
    assert top.gap == "cluster" and top.cluster_id == "G1"


def test_direction_of_acquaintance_and_watch(town) -> None:
    ag = town.agency("A1", "elderly")
    h1, h2, h3, h4 = (town.household(f"H{i}") for i in (1, 2, 3, 4))
    p1, p2, p3, p4 = (town.person(f"P{i}", h) for i, h in zip((1, 2, 3, 4), (h1, h2, h3, h4), strict=True))
    town.rel(R.SUPPORTED_BY, p1, ag, intensity=2)
    town.rel(R.KNOWS, p1, p2, strength="strong")  # P1 knows P2: the word can pass from H1 to H2
    town.rel(R.KNOWS, p3, p1, strength="strong")  # P3 knows P1, not the other way: H3 cannot be told
    town.rel(R.KNOWS, p1, p4, relation="watch")  # P1 watches over P4
    G = town.graph()
    r = reachability(G)
    assert r.chain_of("H2").hops == 2  # type: ignore[union-attr]
    assert r.chain_of("H4").steps[-1].tie_ja == "見守り (住民)"  # type: ignore[union-attr]
    assert r.chain_of("H3") is None and r.unreachable == ("H3",)
    ref = reached_from(reference_graph(G), ["Agency:A1"])
    assert "Household:H3" not in ref and ref["Household:H2"] == 2
    # an undirected copy cannot say who knows whom: every tie passes both ways
    assert reachability(nx.MultiGraph(G)).unreachable == ()


def test_the_most_trusted_of_equal_chains_is_chosen(town) -> None:
    ag = town.agency("A1", "elderly", name="包括")
    target = town.household("HT")
    for name, strength in (("HW", "weak"), ("HU", None), ("HS", "strong")):
        h = town.household(name)
        town.rel(R.SUPPORTED_BY, h, ag, intensity=3)
        if strength:
            town.rel(R.NEIGHBOUR_OF, h, target, strength=strength)
        else:
            town.rel(R.NEIGHBOUR_OF, h, target)
    G = town.graph()
    assert reachability(G).chain_of("HT").steps[0].to.id == "HS"  # type: ignore[union-attr]
    # without the strong one, unknown beats known-weak
    town.rels = [x for x in town.rels if not (x.src.id == "HS" and x.dst.id == "HT")]
    G = town.graph()
    c = reachability(G).chain_of("HT")
    assert c is not None and c.steps[0].to.id == "HU" and c.weakest_ja == "不明"


def test_formal_and_informal_supporters(town) -> None:
    town.agency("A1", "poverty")
    minsei = town.supporter("S-minsei", kind="minsei_iin", name="民生委員 佐藤")
    attached = town.supporter("S-staff", name="相談員", agency_id="A1")
    friend = town.supporter("S-vol", kind="watch_volunteer", name="見守り協力員 鈴木")
    h1, h2 = town.household("H1"), town.household("H2")
    town.rel(R.VISITS, minsei, h1, per_month=1)
    town.rel(R.VISITS, friend, h2, per_month=0.5)
    town.rel(R.NEIGHBOUR_OF, h1, h2, strength="strong")
    del attached
    G = town.graph()
    r = reachability(G)
    assert (r.agencies, r.formal_supporters, r.informal_supporters) == (1, 2, 1)
    assert r.chain_of("H1", "formal").start.display_ja == "民生委員・児童委員 S-minsei"  # type: ignore[union-attr]
    assert "佐藤" not in json.dumps(r.to_dict(), ensure_ascii=False)
    assert r.chain_of("H1", "informal").hops == 2  # type: ignore[union-attr]
    v = r.chain_of("H2", "informal")
    assert v is not None and v.steps[0].trust == "weak"
    # the attached supporter links the agency; the minsei-iin with no agency does not: no chain to an agency
    assert r.unreachable == ("H1", "H2")
    assert r.clusters[0].formal_hops == 0  # a formal supporter is in the cluster


# ---------------------------------------------------------------- unknown strength stays unknown


def test_unknown_strength_is_never_weak(town) -> None:
    ag = town.agency("A1", "elderly")
    hs = [town.household(f"H{i}") for i in range(4)]
    for h in hs:
        town.rel(R.SUPPORTED_BY, h, ag)  # no intensity recorded
    town.rel(R.NEIGHBOUR_OF, hs[0], hs[1])
    G = town.graph()
    T = tie_graph(G)
    assert T.quality.unknown_strength == 5 and T.quality.weak == 0
    iso = outreach_list(G, reference_year=2024)
    assert iso.weak_only == ()  # before: every supported household was "weak only"
    assert iso.unknown_strength == ("H0", "H1", "H2", "H3")
    assert "強さ不明のつながりのみの世帯 4" in iso.summary_ja
    assert all(t.trust_ja == "不明" for c in iso.outreach for t in c.ties)
    rep = analyse_all(G, reference_year=2024)
    assert "弱いとは数えていません" in rep.reachability.summary_ja


# ---------------------------------------------------------------- bad input: defined results, no traceback


def test_ties_to_unknown_households_and_self_loops() -> None:
    G = build_projection(
        [("Household", "H1", {}), ("Household", "H2", {}), ("Agency", "A1", {"name": "包括"})],
        [("SUPPORTED_BY", "Household", "H1", "Agency", "A1", {"intensity": 2})],
    )
    # edges a projection would drop, added straight to the graph: to a node not in the town, and to itself
    G.add_edge("Household:H1", "Household:H404", key="NEIGHBOUR_OF", type="NEIGHBOUR_OF")
    G.add_edge("Household:H2", "Household:H2", key="NEIGHBOUR_OF", type="NEIGHBOUR_OF", strength="strong")
    r = reachability(G)
    assert r.households == 2 and r.no_tie == ("H2",)
    q = r.quality
    assert (q.unknown_endpoint, q.self_loops) == (1, 1)
    notes = " ".join(q.notes_ja)
    assert "登録のない相手とのつながり 1件" in notes and "H404" in notes
    assert "自分自身へのつながり 1件" in notes
    rep = analyse_all(G, reference_year=2024)
    json.dumps(rep.to_dict(), ensure_ascii=False)


def test_builder_counts_rows_that_name_no_node() -> None:
    b = TieGraphBuilder()
    b.add_node("Household", "H1", {})
    b.add_node("Agency", "A1", {"name": "包括"})
    b.add_rel("SUPPORTED_BY", "Household", "H1", "Agency", "A1", {"intensity": 2})
    b.add_rel("NEIGHBOUR_OF", "Household", "H1", "Household", "H-missing", {})
    b.add_rel("KNOWS", "Person", "P-missing", "Person", "P-other", {})
    b.add_rel("COLLABORATES_WITH", "Agency", "A1", "Agency", "A-missing", {})
    T = b.build()
    assert T.quality.unknown_endpoint == 3 and T.collaborations == []
    assert reachability(T).direct == 1


def test_duplicate_ties_with_different_strengths_count_once_strongest() -> None:
    G = build_projection(
        [("Household", "H1", {}), ("Household", "H2", {}), ("Agency", "A1", {"name": "包括"})],
        [
            ("SUPPORTED_BY", "Household", "H1", "Agency", "A1", {"intensity": 2}),
            ("NEIGHBOUR_OF", "Household", "H1", "Household", "H2", {"strength": "weak"}),
            ("NEIGHBOUR_OF", "Household", "H2", "Household", "H1", {"strength": "strong"}),
        ],
    )
    G.add_edge("Household:H1", "Household:H2", key="dup", type="NEIGHBOUR_OF")  # a third record, no strength
    T = tie_graph(G)
    assert (T.quality.duplicates, T.quality.conflicting, T.quality.ties) == (1, 1, 2)
    assert "強さが食い違うもの 1組は「強い」を採用" in " ".join(T.quality.notes_ja)
    c = reachability(G).chain_of("H2")
    assert c is not None and c.steps[-1].trust == "strong"


def test_no_agency_at_all() -> None:
    G = build_projection(
        [("Household", f"H{i}", {}) for i in range(3)],
        [("NEIGHBOUR_OF", "Household", "H0", "Household", "H1", {"strength": "strong"})],
    )
    r = reachability(G)
    assert r.agencies == 0 and r.unreachable == ("H0", "H1") and r.no_tie == ("H2",)
    assert "機関が登録されていないため" in r.summary_ja
    assert [c.household_ids for c in r.clusters] == [("H0", "H1")]
    rep = analyse_all(G, reference_year=2024)
    assert any("機関が登録されていない" in f for f in rep.findings_ja)
    assert rep.agency_network.summary_ja.startswith("支援関係機関が登録されていない")


@pytest.mark.parametrize("tied", [False, True])
def test_a_town_of_one_household(tied: bool) -> None:
    nodes = [("Household", "H1", {})] + ([("Agency", "A1", {"name": "包括"})] if tied else [])
    rels = [("SUPPORTED_BY", "Household", "H1", "Agency", "A1", {})] if tied else []
    r = reachability(build_projection(nodes, rels))
    assert r.households == 1 and r.clusters == ()
    assert (r.direct, r.no_tie) == ((1, ()) if tied else (0, ("H1",)))


def test_empty_graph_and_bad_k() -> None:
    r = reachability(nx.MultiDiGraph())
    assert r.households == 0 and r.summary_ja == "世帯が登録されていません"
    with pytest.raises(ValueError, match="k は1以上"):
        reachability(nx.MultiDiGraph(), k=0)
    with pytest.raises(ValueError):
        reachability(nx.MultiDiGraph(), ties="sometimes")


def test_row_order_does_not_change_the_answer(synth_town) -> None:
    G = synth_town(200, 3)
    H = nx.MultiDiGraph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    a, b = reachability(G).to_dict(), reachability(H).to_dict()
    assert a == b


# ---------------------------------------------------------------- properties on random towns


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=5, max_value=120), st.integers(1, 4))
def test_listed_unreachable_households_have_no_path(synth_town, seed: int, n: int, k: int) -> None:
    G = synth_town(n, seed)
    r = reachability(G, k=k)
    D = reference_graph(G)
    agencies = [x for x, d in G.nodes(data=True) if d.get("label") == "Agency"]
    ref = reached_from(D, agencies)
    households = [d["id"] for _, d in G.nodes(data=True) if d.get("label") == "Household"]
    for hid in households:
        key = f"Household:{hid}"
        hops = ref.get(key)
        if hid in r.unreachable or hid in r.no_tie:
            assert hops is None, hid  # really no path from any agency
        else:
            assert hops is not None and r.chain_of(hid).hops == hops, hid  # type: ignore[union-attr]
        if hid in r.beyond_k:
            assert hops is None or hops > k
    assert set(r.no_tie) == {h for h in households if D.degree(f"Household:{h}") == 0 or _only_members(D, h)}
    for c in r.clusters:
        assert all(f"Household:{h}" not in ref for h in c.household_ids)


def _only_members(D: nx.DiGraph, hid: str) -> bool:
    key = f"Household:{hid}"
    members = {u for u in D.predecessors(key) if u.startswith("Person:") and D.has_edge(key, u)}
    inside = members | {key}
    return all(set(D.successors(x)) | set(D.predecessors(x)) <= inside for x in inside)


@pytest.mark.parametrize("seed", range(4))
def test_no_tie_is_the_outreach_lists_isolated(synth_town, seed: int) -> None:
    G = synth_town(250, seed)
    r = reachability(G)
    assert outreach_list(G, reference_year=2024, reach=r).isolated == r.no_tie
