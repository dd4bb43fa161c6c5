"""Isolation and the outreach list: hand-built towns with known answers, and properties on random towns."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.analysis.isolation import (
    AGE_ALONE_WEIGHT,
    GAP_WEIGHTS,
    RISK_WEIGHTS,
    household_ties,
    isolated_households,
    outreach_list,
)
from graphsvc.domain.enums import HouseholdFlag, RelType

R = RelType


def test_isolated_household_and_one_weak_neighbour(town) -> None:
    lonely = town.household("H-lonely", flags=["single_elderly"], size=1)
    town.person("P-lonely", lonely, birth_year=1938)
    weak = town.household("H-weak")
    other = town.household("H-other")
    town.rel(R.NEIGHBOUR_OF, weak, other, strength="weak")
    ag = town.agency("A1", "elderly")
    town.rel(R.SUPPORTED_BY, other, ag, intensity=2)
    G = town.graph()

    r = outreach_list(G, reference_year=2024)
    assert r.isolated == ("H-lonely",)
    assert r.weak_only == ("H-weak",)
    assert r.single_kind == ()  # H-other: a weak neighbour and an agency are two kinds, one of them not weak
    assert r.households == 3

    top, second = r.outreach[0], r.outreach[1]
    assert top.household_id == "H-lonely" and top.gap == "isolated"
    # 4 (isolated) + 3 (single_elderly) + 2 (75+ alone: born 1938, 86 in 2024)
    assert (
        top.score == GAP_WEIGHTS["isolated"] + RISK_WEIGHTS[HouseholdFlag.SINGLE_ELDERLY] + AGE_ALONE_WEIGHT
    )
    assert [x.code for x in top.reasons] == ["isolated", "single_elderly", "age75_alone"]
    assert "86歳" in top.reasons_ja and top.ties == ()

    assert second.household_id == "H-weak" and second.gap == "weak_only"
    assert second.score == GAP_WEIGHTS["weak_only"]  # the single-kind reason is shown with weight 0
    assert [(x.code, x.weight) for x in second.reasons] == [("weak_only", 2.0), ("single_kind", 0.0)]
    assert second.reasons[0].ja == "つながりは弱いもののみ (近所・知人 1件)"
    (tie,) = second.ties
    assert (tie.kind, tie.rel_type, tie.target_id, tie.weak) == ("neighbour", "NEIGHBOUR_OF", "H-other", True)


def test_strong_neighbour_only_is_single_kind_not_weak(town) -> None:
    h = town.household("H1")
    p = town.person("P1", h)
    q = town.person("Q1", town.household("H2"))
    town.rel(R.KNOWS, p, q, strength="strong")
    r = outreach_list(town.graph(), reference_year=2024)
    assert r.weak_only == ()
    assert r.single_kind == ("H1", "H2")
    c = next(c for c in r.outreach if c.household_id == "H1")
    assert c.ties[0].via_member == "P1" and c.ties[0].target_id == "Q1"
    # the two households know each other and no agency: a cluster first, the single kind shown beside it
    assert [(x.code, x.weight) for x in c.reasons] == [("cluster", 3.5), ("single_kind", 0.0)]
    assert c.reasons[1].ja.startswith("つながりは近所・知人のみ")
    assert r.cluster == ("H1", "H2") and c.cluster_id == "G1"


def test_members_ties_count_and_ties_inside_the_household_do_not(town) -> None:
    h1 = town.household("H1")
    a = town.person("P1", h1)
    b = town.person("P2", h1)
    town.rel(R.KNOWS, a, b, strength="strong")  # inside the household
    h2 = town.household("H2")
    c = town.person("P3", h2)
    v = town.venue("V1")
    town.rel(R.ATTENDS, c, v, per_month=4)
    ag = town.agency("A1", "elderly")
    town.rel(R.SUPPORTED_BY, c, ag, intensity=3)
    G = town.graph()
    assert isolated_households(G) == ["H1"]
    r = outreach_list(G, reference_year=2024)
    assert "H2" not in {x.household_id for x in r.outreach}  # two kinds, strong ties
    ties = household_ties(G)["H2"]
    assert {(t.kind, t.via_member, t.weak) for t in ties} == {("venue", "P3", False), ("agency", "P3", False)}


def test_weak_rules_closed_case_declined_placement_rare_visits(town) -> None:
    h = town.household("H1")
    p = town.person("P1", h)
    ag = town.agency("A1", "poverty")
    town.case("C1", h, ag, stage="closed", factors=("debt",))
    town.rel(R.PLACED_IN, p, town.opportunity("O1"), status="declined")
    town.rel(R.VISITS, town.supporter("S1"), h, per_month=0.5)
    h2 = town.household("H2")
    town.rel(R.PLACED_IN, town.person("P2", h2), town.opportunity("O2"), status="declined")
    G = town.graph()
    ties = household_ties(G)
    assert {(t.kind, t.rel_type, t.weak, t.case_id) for t in ties["H1"]} == {
        ("agency", "HANDLED_BY", True, "C1"),
        ("supporter", "VISITS", True, None),
    }
    assert ties["H2"] == ()  # a declined placement is no tie
    r = outreach_list(G, reference_year=2024)
    assert r.weak_only == ("H1",) and r.isolated == ("H2",)


def test_risk_ranking_and_evidence(town) -> None:
    plain = town.household("H-plain", size=2)
    town.person("P-a", plain, birth_year=1990)
    town.person("P-b", plain, birth_year=1992)
    area = town.area("AR-island", remote=True, kind="island")
    h8050 = town.household("H-8050", flags=["eighty_fifty"], size=2)
    town.rel(R.IN_AREA, h8050, area)
    town.person("P-mother", h8050, birth_year=1942)
    town.person("P-son", h8050, birth_year=1972, hikikomori=True, needs_support=True)
    G = town.graph()
    r = outreach_list(G, reference_year=2024)
    assert [c.household_id for c in r.outreach] == ["H-8050", "H-plain"]
    top = r.outreach[0]
    codes = [x.code for x in top.reasons]
    # hikikomori from the member attribute, remote from the island area, each once; no 75+ alone (two members)
    assert codes == ["isolated", "eighty_fifty", "hikikomori_member", "remote", "needs_support"]
    assert top.score == 4 + 3 + 3 + 1 + 1 and top.risk == 8
    assert top.area_id == "AR-island" and top.members == 2
    assert r.outreach[1].risk == 0

    only_risky = outreach_list(G, reference_year=2024, min_risk=1)
    assert [c.household_id for c in only_risky.outreach] == ["H-8050"]
    assert only_risky.isolated == ("H-8050", "H-plain")  # the id lists keep every household
    assert len(outreach_list(G, reference_year=2024, limit=1).outreach) == 1


def test_undirected_copy_gives_the_same_answer(town) -> None:
    h = town.household("H1")
    town.rel(R.VISITS, town.supporter("S1"), h)
    town.household("H2")
    G = town.graph()
    assert outreach_list(G, reference_year=2024) == outreach_list(nx.MultiGraph(G), reference_year=2024)


def test_empty_graph() -> None:
    r = outreach_list(nx.MultiDiGraph(), reference_year=2024)
    assert (r.households, r.isolated, r.outreach) == (0, (), ())
    assert r.to_dict()["summary_ja"].startswith("0世帯")


# ---------------------------------------------------------------- properties on random towns

_TIE_TYPES = {"SUPPORTED_BY", "VISITS", "ATTENDS", "PLACED_IN", "KNOWS", "NEIGHBOUR_OF"}


def _raw_has_tie(G: nx.MultiDiGraph, h: str) -> bool:
    """Independent of the analysis: does the household or a member have any tie outside the household?"""
    members = {u for u, _, k in G.in_edges(h, keys=True) if k == "MEMBER_OF"}
    inside = members | {h}
    for n in inside:
        for u, v, k, d in [*G.out_edges(n, keys=True, data=True), *G.in_edges(n, keys=True, data=True)]:
            other = v if u == n else u
            if k in _TIE_TYPES and other not in inside:
                if k == "PLACED_IN" and d.get("status") == "declined":
                    continue
                return True
            if k == "ABOUT" and any(kk == "HANDLED_BY" for _, _, kk in G.out_edges(u, keys=True)):
                return True  # a case about the household or a member, handled by an agency
    return False


@pytest.mark.parametrize("seed", range(6))
def test_properties_on_random_towns(synth_town, seed: int) -> None:
    G = synth_town(300, seed)
    r = outreach_list(G, reference_year=2024)
    ties = household_ties(G)
    for hid in r.isolated:
        assert not _raw_has_tie(G, f"Household:{hid}")
        assert ties[hid] == ()
    for hid in r.weak_only:
        assert ties[hid] and all(t.weak for t in ties[hid])
    for hid in r.single_kind:
        assert len({t.kind for t in ties[hid]}) == 1 and not all(t.weak for t in ties[hid])
    listed = set(r.isolated) | set(r.weak_only) | set(r.single_kind)
    for hid, t in ties.items():
        if hid not in listed:
            assert t and not all(x.weak for x in t) and len({x.kind for x in t}) > 1
        else:
            assert _raw_has_tie(G, f"Household:{hid}") == bool(t)
    scores = [c.score for c in r.outreach]
    assert scores == sorted(scores, reverse=True)
    assert {c.household_id for c in r.outreach} == listed
    for c in r.outreach:
        assert c.score == pytest.approx(sum(x.weight for x in c.reasons))
