"""Store-side counts through the GraphStore port agree with the analyses over the projection."""

from __future__ import annotations

from graphsvc.analysis.concentration import hard_case_concentration
from graphsvc.analysis.overlap import sector_overlap
from graphsvc.analysis.queries import (
    agencies_without_sector,
    at_risk_household_count,
    hard_case_count,
    hard_cases_by_agency,
    household_flag_counts,
    households_with_flag,
)


def test_counts_through_the_port(town) -> None:
    town.household("H1", flags=["single_elderly", "remote"], area_id="AR1")
    town.household("H2", flags=["single_elderly"])
    town.household("H3")
    a1 = town.agency("A1", "elderly")
    a2 = town.agency("A2")
    town.case("C1", town.household("H4"), a1, a2, hard=True)
    town.case("C2", town.household("H5"), a1, hard=True, stage="closed")
    town.case("C3", town.household("H6"), a2)
    G = town.graph()
    store = town.store
    assert store is not None

    assert households_with_flag(store, "single_elderly") == ["H1", "H2"]
    assert households_with_flag(store, "高齢単身", area_id="AR1") == ["H1"]  # Japanese labels parse too
    counts = household_flag_counts(store)
    assert counts["single_elderly"] == 2 and counts["remote"] == 1 and counts["hoarding"] == 0
    assert at_risk_household_count(store) == 2 and at_risk_household_count(store, area_id="AR1") == 1
    assert hard_case_count(store) == 2
    assert hard_cases_by_agency(store) == {"A1": 1, "A2": 1}
    assert hard_cases_by_agency(store, include_closed=True) == {"A1": 2, "A2": 1}
    assert agencies_without_sector(store) == ["A2"]

    # the same numbers as the analyses over the projection
    conc = hard_case_concentration(G)
    assert {a.agency_id: a.hard_cases for a in conc.agencies if a.hard_cases} == hard_cases_by_agency(store)
    assert list(sector_overlap(G).agencies_without_sector) == agencies_without_sector(store)
