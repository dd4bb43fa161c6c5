"""Single points of failure, articulation points and bridges of the support network."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pytest

from graphsvc.analysis.fragility import single_points_of_failure, support_fragility, support_network
from graphsvc.domain.enums import RelType

R = RelType


def test_household_reached_only_through_one_supporter(town) -> None:
    s1 = town.supporter("S1", name="民生委員 山田")
    lone = town.household("H-lone", flags=["single_elderly"])
    town.person("P-lone", lone)
    town.rel(R.VISITS, s1, lone)
    ag = town.agency("A1", "elderly", name="包括")
    for hid in ("H-both", "H-both2"):  # two providers each, and a cycle S1–H-both–A1–H-both2–S1
        both = town.household(hid)
        town.rel(R.VISITS, s1, both)
        town.rel(R.SUPPORTED_BY, both, ag)
    town.household("H-none")
    G = town.graph()
    r = support_fragility(G)
    (sp,) = r.single_points
    assert sp.provider.id == "S1" and sp.provider.label == "Supporter"
    assert sp.household_ids == ("H-lone",) and sp.sole_provider == 1 and sp.risk_households == 1
    assert sp.reason_ja == "民生委員 山田 (支援者) が欠けると 1世帯が支援を失う (うちリスクのある世帯 1)"
    assert (r.households_with_one_provider, r.households_without_provider) == (1, 1)
    # S1 cuts H-lone (and its member) off the rest: an articulation point, and S1–H-lone a bridge
    assert [a.id for a in r.articulation_points] == ["S1"]
    assert [(b.provider.id, b.node.id) for b in r.support_bridges] == [("S1", "H-lone")]
    assert r.bridges_total == 2  # P-lone–H-lone and S1–H-lone; the rest lies on the cycle
    U = support_network(G)
    assert {frozenset(e) for e in nx.bridges(U)} == {
        frozenset({"Supporter:S1", "Household:H-lone"}),
        frozenset({"Person:P-lone", "Household:H-lone"}),
    }


def test_supporter_of_an_agency_and_cases(town) -> None:
    a2 = town.agency("A2", "elderly")
    s2 = town.supporter("S2", agency_id="A2")
    h3 = town.household("H3")
    town.rel(R.VISITS, s2, h3)
    town.rel(R.SUPPORTED_BY, town.person("P3", h3), a2)
    h4 = town.household("H4")
    town.rel(R.VISITS, s2, h4)
    h5 = town.household("H5")
    a5 = town.agency("A5", "poverty")
    town.case("C5", h5, a5)
    h6 = town.household("H6")
    town.case("C6", h6, a5, stage="closed")  # a closed case is no current support
    G = town.graph()
    got = {(p.provider.id, p.household_ids, p.sole_provider) for p in single_points_of_failure(G)}
    # H3 is served by A2 and A2's supporter: it depends on A2. H4 depends on S2, and through S2 on A2.
    assert got == {("A2", ("H3", "H4"), 0), ("S2", ("H4",), 1), ("A5", ("H5",), 1)}
    r = support_fragility(G)
    assert r.single_points[0].provider.id == "A2"
    assert r.households_without_provider == 1


def test_structural_off_and_empty_graph(town) -> None:
    town.rel(R.VISITS, town.supporter("S1"), town.household("H1"))
    r = support_fragility(town.graph(), structural=False)
    assert r.articulation_points == () and r.bridges_total == 0 and len(r.single_points) == 1
    e = support_fragility(nx.MultiDiGraph())
    assert (e.single_points, e.households, e.articulation_points_total) == ((), 0, 0)


def _raw_providers(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    hh_of = {u: v for u, v, k in G.edges(keys=True) if k == "MEMBER_OF"}
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, k in G.edges(keys=True):
        if k == "SUPPORTED_BY":
            out[u if u.startswith("Household:") else hh_of.get(u, "")].add(v)
        elif k == "VISITS":
            out[v if v.startswith("Household:") else hh_of.get(v, "")].add(u)
        elif k == "ABOUT" and G.nodes[u].get("stage") != "closed":
            h = v if v.startswith("Household:") else hh_of.get(v, "")
            out[h].update(a for _, a, kk in G.out_edges(u, keys=True) if kk == "HANDLED_BY")
    out.pop("", None)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_properties_on_random_towns(synth_town, seed: int) -> None:
    G = synth_town(300, seed)
    providers = _raw_providers(G)
    affil = {
        n: f"Agency:{d['agency_id']}"
        for n, d in G.nodes(data=True)
        if d["label"] == "Supporter" and "agency_id" in d
    }
    r = support_fragility(G)
    assert r.single_points
    for sp in r.single_points:
        p = f"{sp.provider.label}:{sp.provider.id}"
        for hid in sp.household_ids:
            left = {x for x in providers[f"Household:{hid}"] if x != p and affil.get(x) != p}
            assert not left  # without p (and p's supporters) the household has no provider
    counts = [s.households for s in r.single_points]
    assert counts == sorted(counts, reverse=True)
    U = support_network(G)
    assert r.articulation_points_total == len(set(nx.articulation_points(U)))
    assert r.bridges_total == len(list(nx.bridges(U)))
