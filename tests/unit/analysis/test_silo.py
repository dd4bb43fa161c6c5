"""縦割り: sector modularity of the agency collaboration network, communities and their alignment."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from graphsvc.analysis.silo import adjusted_rand_index, collaboration_network, sector_modularity, sector_silos
from graphsvc.domain.enums import RelType

R = RelType
SECTORS = ["elderly", "disability", "child", "poverty"]


def _agencies(town, per_sector: int = 3):
    return {s: [town.agency(f"{s[:3].upper()}{i}", s) for i in range(per_sector)] for s in SECTORS}


def test_siloed_network_has_higher_modularity_than_integrated(town) -> None:
    ags = _agencies(town)
    for group in ags.values():  # every tie inside a sector
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                town.rel(R.COLLABORATES_WITH, group[i], group[j], level="coordination")
    siloed = sector_silos(town.graph())

    town.rels.clear()
    flat = [a for group in ags.values() for a in group]
    for i in range(len(flat)):  # every tie across sectors, same number of ties per agency
        for j in range(i + 1, len(flat)):
            if flat[i].id[:3] != flat[j].id[:3] and (i + j) % 3 == 0:
                town.rel(R.COLLABORATES_WITH, flat[i], flat[j], level="coordination")
    integrated = sector_silos(town.graph())

    assert siloed.modularity is not None and integrated.modularity is not None
    assert siloed.modularity > integrated.modularity
    # four equal cliques: Q = Σ_c (l_c/m − (d_c/2m)²) = 4 · (1/4 − 1/16) = 0.75
    assert siloed.modularity == pytest.approx(0.75)
    assert integrated.modularity < 0
    assert siloed.siloed is True and integrated.siloed is False
    assert siloed.cross_sector_share == 0.0 and integrated.cross_sector_share == 1.0
    assert siloed.adjusted_rand == 1.0 and siloed.purity == 1.0
    assert len(siloed.communities) == 4
    assert all(g.internal_ties == 3 and g.external_ties == 0 for g in siloed.sectors)
    assert [g.sector for g in siloed.sectors] == ["elderly", "disability", "child", "poverty"]
    assert "縦割り" in siloed.summary_ja and "分野を越えた" in integrated.summary_ja


def test_modularity_by_hand_and_weights(town) -> None:
    a0, a1 = town.agency("A0", "elderly"), town.agency("A1", "elderly")
    b0, b1 = town.agency("B0", "child"), town.agency("B1", "child")
    town.rel(R.COLLABORATES_WITH, a0, a1, level="integration")  # weight 4
    town.rel(R.COLLABORATES_WITH, b0, b1, level="awareness")  # weight 1
    town.rel(R.COLLABORATES_WITH, a1, b0, level="awareness")  # weight 1, across
    G = town.graph()
    C = collaboration_network(G)
    assert C["Agency:A0"]["Agency:A1"]["weight"] == 4
    # weighted: m = 6; elderly: l = 4, d = 4+5 = 9; child: l = 1, d = 2+1 = 3
    q = (4 / 6 - (9 / 12) ** 2) + (1 / 6 - (3 / 12) ** 2)
    assert sector_modularity(G) == pytest.approx(q)
    # unweighted: m = 3; elderly l = 1, d = 3; child l = 1, d = 3
    assert sector_modularity(G, weighted=False) == pytest.approx(2 * (1 / 3 - (3 / 6) ** 2))
    r = sector_silos(G)
    assert r.cross_sector_share == pytest.approx(1 / 6, abs=1e-6)  # results are rounded to 6 places
    assert r.modularity == pytest.approx(q, abs=1e-6)


def test_unknown_sector_and_isolated_agencies(town) -> None:
    a, b = town.agency("A1", "elderly"), town.agency("A2")
    town.agency("A3", "child")
    town.rel(R.COLLABORATES_WITH, a, b)
    r = sector_silos(town.graph())
    assert r.agencies_without_sector == ("A2",)
    assert [g.sector for g in r.sectors] == ["elderly", "child", "unknown"]
    assert r.sectors[-1].sector_ja == "分野不明" and r.sectors[-1].agency_ids == ("A2",)
    assert r.isolated_agencies == ("A3",)


def test_no_ties_and_empty_graph(town) -> None:
    town.agency("A1", "elderly")
    town.agency("A2", "child")
    r = sector_silos(town.graph())
    assert (r.modularity, r.siloed, r.cross_sector_share, r.ties) == (None, None, None, 0)
    assert r.summary_ja.endswith("縦割りの度合いは測れません")
    e = sector_silos(nx.MultiDiGraph())
    assert (e.agencies, e.communities, e.adjusted_rand, e.purity) == (0, (), None, None)


def test_seeded_louvain_is_reproducible_and_greedy_works(synth_town) -> None:
    G = synth_town(600, 3, agencies=30)
    a, b = sector_silos(G, seed=7), sector_silos(G, seed=7)
    assert a == b
    g = sector_silos(G, method="greedy")
    assert g.method == "greedy" and g.communities
    assert sum(len(c.agency_ids) for c in g.communities) == 30
    for r in (a, g):
        assert r.modularity is not None and -0.5 <= r.modularity <= 1
        assert r.community_modularity is not None and r.community_modularity >= r.modularity - 1e-9
        assert 0 < (r.purity or 0) <= 1
    with pytest.raises(ValueError):
        sector_silos(G, method="nope")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(20))
def test_adjusted_rand_matches_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    a = rng.integers(0, int(rng.integers(1, 6)), size=n).tolist()
    b = rng.integers(0, int(rng.integers(1, 6)), size=n).tolist()
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-9)
    assert adjusted_rand_index(a, a) == pytest.approx(1.0)
