"""Overlap of sectors: 多機関協働 candidates and the sector-pair matrix."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.overlap import sector_overlap, sector_pair_matrix
from graphsvc.domain.enums import CaseFactor, RelType, Sector

R = RelType


def test_missing_sector_is_found_with_its_evidence(town) -> None:
    h = town.household("H1")
    p = town.person("P1", h)
    elderly = town.agency("A-eld", "elderly", name="地域包括支援センター")
    town.case("C1", h, elderly, factors=("dementia", "debt", "care_burden"), hard=True)
    town.case("C2", p, factors=("disability",))  # about a member, handled by no one yet
    G = town.graph()
    r = sector_overlap(G)
    (c,) = r.candidates
    assert c.household_id == "H1"
    assert c.need_sectors == ("elderly", "disability", "poverty")
    assert c.served_sectors == ("elderly",)
    assert c.missing_sectors == ("disability", "poverty")
    assert c.missing_sectors_ja == ("障害", "生活困窮")
    assert c.hard_case_ids == ("C1",)
    by_sector = {n.sector: n for n in c.needs}
    assert by_sector["elderly"].factors == ("dementia", "care_burden")
    assert by_sector["disability"].case_ids == ("C2",)
    assert by_sector["poverty"].factors_ja == ("多重債務",)
    assert [(a.agency_id, a.how) for a in c.agencies] == [("A-eld", ("case",))]
    assert (
        c.reason_ja
        == "課題が3分野 (高齢(介護)、障害、生活困窮) にまたがるが、支援機関の分野は 高齢(介護)。不足: 障害、生活困窮"
    )
    json.dumps(r.to_dict(), ensure_ascii=False)


def test_covered_single_sector_and_relationship_sector(town) -> None:
    covered = town.household("H-covered")
    a_el = town.agency("A-eld", "elderly")
    a_pov = town.agency("A-pov", "poverty")
    town.case("C1", covered, a_el, a_pov, factors=("dementia", "debt"))
    single = town.household("H-single")
    town.case("C2", single, factors=("dementia", "care_burden"))  # both elderly: one sector only
    by_edge = town.household("H-edge")
    town.case("C3", by_edge, factors=("dementia", "debt"))
    social = town.agency("A-swc", "community")
    town.rel(R.SUPPORTED_BY, by_edge, a_el)
    town.rel(R.SUPPORTED_BY, by_edge, social, sector="poverty")  # the relationship names the sector served
    G = town.graph()
    assert sector_overlap(G).candidates == ()
    # with min_sectors=1 a single-sector household with no agency is a candidate
    assert [c.household_id for c in sector_overlap(G, min_sectors=1).candidates] == ["H-single"]


def test_agency_without_sector_goes_to_unknown_and_covers_nothing(town) -> None:
    h = town.household("H1")
    blank = town.agency("A-blank")
    town.case("C1", h, blank, factors=("dementia", "unemployment"))
    r = sector_overlap(town.graph())
    (c,) = r.candidates
    assert c.served_sectors == ("unknown",)
    assert c.missing_sectors == ("elderly", "employment")
    assert c.agencies[0].sectors == ("unknown",)
    assert r.agencies_without_sector == ("A-blank",)
    assert "支援機関の分野は なし" in c.reason_ja


def test_closed_cases_and_flags(town) -> None:
    h = town.household("H1", flags=["eighty_fifty"])
    town.case("C1", h, factors=("dementia", "debt"), stage="closed")
    G = town.graph()
    assert sector_overlap(G).candidates == ()
    assert sector_overlap(G).households_with_needs == 0
    (c,) = sector_overlap(G, include_closed=True).candidates
    assert c.need_sectors == ("elderly", "poverty")
    (f,) = sector_overlap(G, include_flags=True).candidates
    assert f.need_sectors == ("elderly", "poverty")
    assert f.needs[0].factors == ("eighty_fifty",) and f.needs[0].factors_ja == ("8050世帯",)


def test_pair_matrix_counts_by_hand(town) -> None:
    h1, h2, h3 = (town.household(f"H{i}") for i in (1, 2, 3))
    town.case("C1", h1, factors=("dementia", "debt"))  # elderly, poverty
    town.case(
        "C2", h2, factors=("care_burden", "disability", "financial_hardship")
    )  # elderly, disability, poverty
    town.case("C3", h3, factors=("child_rearing",))  # child
    town.case("C4", h3, factors=("abuse",), stage="closed")  # closed: not counted
    G = town.graph()
    m = sector_pair_matrix(G)
    a = m.as_array()
    assert a.shape == (len(Sector), len(Sector))
    assert np.array_equal(a, a.T)
    assert m.get(Sector.ELDERLY, Sector.POVERTY) == 2
    assert m.get("elderly", "disability") == 1
    assert m.get("disability", "poverty") == 1
    assert m.get("child", "child") == 1 and m.get("elderly", "elderly") == 2
    assert m.get("child", "elderly") == 0
    assert int(a.sum()) == 2 * 2 + 3 * 3 + 1  # each household adds its sectors squared
    assert m.top_pairs[0] == ("高齢(介護)×生活困窮", 2)
    r = sector_overlap(G)
    assert r.matrix == m
    # nobody is served: every need is unmet
    assert r.unmet_matrix == m


def test_empty_graph() -> None:
    r = sector_overlap(nx.MultiDiGraph())
    assert r.candidates == () and r.households_with_needs == 0
    assert int(r.matrix.as_array().sum()) == 0


@pytest.mark.parametrize("seed", range(5))
def test_properties_on_random_towns(synth_town, seed: int) -> None:
    G = synth_town(300, seed)
    r = sector_overlap(G)
    sectors = {s.value for s in Sector}
    for c in r.candidates:
        need, served, missing = set(c.need_sectors), set(c.served_sectors), set(c.missing_sectors)
        assert len(need) >= 2 and missing and missing <= need and not (missing & served)
        assert need == {n.sector for n in c.needs}
        for n in c.needs:  # every need sector is justified by a factor of that sector
            assert n.sector in sectors
            assert all(CaseFactor(f).sector.value == n.sector for f in n.factors)
    a = r.matrix.as_array()
    assert np.array_equal(a, a.T) and (np.diag(a) >= a).all()
    assert (r.unmet_matrix.as_array() <= a).all()
    keys = [(c.missing_sectors, c.need_sectors) for c in r.candidates]
    assert [len(m) for m, _ in keys] == sorted((len(m) for m, _ in keys), reverse=True)
