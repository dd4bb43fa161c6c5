"""Hard cases concentrated on agencies (C市), and the Gini coefficient."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.concentration import gini, hard_case_concentration


def test_gini_by_hand() -> None:
    # [0, 0, 2, 6]: 2·(3·2 + 4·6) / (4·8) − 5/4 = 60/32 − 1.25 = 0.625
    assert gini([6, 2, 0, 0]) == pytest.approx(0.625)
    assert gini([5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 7]) == pytest.approx(0.75)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0 and gini([3]) == 0.0
    assert gini(np.array([[1, 3], [0, 0]])) == gini([1, 3, 0, 0])
    with pytest.raises(ValueError):
        gini([1, -1])
    with pytest.raises(ValueError):
        gini([1, float("nan")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=60))
def test_gini_matches_mean_absolute_difference_and_lies_in_0_1(xs: list[int]) -> None:
    g = gini(xs)
    assert 0.0 <= g <= 1.0
    x = np.array(xs, dtype=float)
    if x.size and x.sum() > 0:
        mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())
        assert g == pytest.approx(mad, abs=1e-9)
        assert g <= (x.size - 1) / x.size + 1e-12


def test_concentrated_agency(town) -> None:
    hub = town.agency("A1", "community", name="総合相談窓口", caseload_limit=7)
    a2 = town.agency("A2", "elderly")
    town.agency("A3", "disability")
    town.agency("A4")  # no sector, no case
    n = 0
    for _ in range(6):
        n += 1
        town.case(f"C{n}", town.household(f"H{n}"), hub, hard=True)
    for _ in range(2):
        n += 1
        town.case(f"C{n}", town.household(f"H{n}"), a2, hard=True)
    for i in range(4):  # ordinary cases: the hub's caseload 6 + 2 = 8 > 7
        n += 1
        town.case(f"C{n}", town.household(f"H{n}"), hub if i < 2 else a2)
    n += 1
    town.case(f"C{n}", town.household(f"H{n}"), a2, hard=True, stage="closed")  # closed: not counted
    G = town.graph()
    r = hard_case_concentration(G)
    assert r.hard_cases == 8 and r.cases == 12
    assert [(a.agency_id, a.hard_cases) for a in r.agencies] == [("A1", 6), ("A2", 2), ("A3", 0), ("A4", 0)]
    assert r.gini == pytest.approx(0.625)  # agencies with no hard case count
    assert r.top_share == 0.75 and r.top_agency_id == "A1"
    hub_load = r.agencies[0]
    assert hub_load.reasons_ja == ("困難事例の75%を担当 (6件)", "担当ケース 8件が目安 7件を超過")
    assert hub_load.lead_hard_cases == 6 and hub_load.cases == 8
    assert hub_load.lift == pytest.approx(0.75 / (8 / 12))
    assert r.flagged == ("A1", "A2")  # A2: 2 of 8 = 25% ≥ the default 25%
    assert hard_case_concentration(G, share_threshold=0.3).flagged == ("A1",)
    assert r.agencies_without_sector == ("A4",)
    assert r.agencies[3].sector == "unknown"
    assert r.summary_ja == "困難事例 8件の 75% を 総合相談窓口 が担当 (機関間のジニ係数 0.62、要注意 2機関)"
    closed = hard_case_concentration(G, include_closed=True)
    assert closed.hard_cases == 9 and closed.agencies[1].hard_cases == 3


def test_case_with_several_agencies_counts_for_each(town) -> None:
    a, b = town.agency("A1", "elderly"), town.agency("A2", "poverty")
    town.case("C1", town.household("H1"), a, b, hard=True)
    r = hard_case_concentration(town.graph())
    assert [(x.agency_id, x.hard_cases, x.lead_hard_cases, x.share) for x in r.agencies] == [
        ("A1", 1, 1, 1.0),
        ("A2", 1, 0, 1.0),
    ]
    assert r.gini == 0.0
    assert r.flagged == ()  # one hard case is below min_hard_cases


def test_no_hard_cases_and_empty_graph(town) -> None:
    town.agency("A1", "elderly")
    r = hard_case_concentration(town.graph())
    assert (r.hard_cases, r.gini, r.top_share, r.top_agency_id, r.flagged) == (0, 0.0, 0.0, None, ())
    assert r.summary_ja == "困難事例はありません"
    e = hard_case_concentration(nx.MultiDiGraph())
    assert e.agencies == () and e.gini == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_properties_on_random_towns(synth_town, seed: int) -> None:
    G = synth_town(400, seed, agencies=12)
    r = hard_case_concentration(G)
    assert 0.0 <= r.gini <= 1.0
    assert len(r.agencies) == 12  # every agency, zeros included
    assert r.gini == pytest.approx(gini([a.hard_cases for a in r.agencies]), abs=1e-6)
    open_hard = [
        c
        for c, d in G.nodes(data=True)
        if d["label"] == "Case" and d.get("hard") and d.get("stage") != "closed"
    ]
    for a in r.agencies:
        raw = sum(1 for c in open_hard if G.has_edge(c, f"Agency:{a.agency_id}", key="HANDLED_BY"))
        assert raw == a.hard_cases == len(a.hard_case_ids)
        assert a.flagged == bool(a.reasons_ja)
    assert r.agencies[0].agency_id == "A0"  # the generator's hub gets the most
