"""Building the demo towns into the embedded store: proportions, geography, gaps, determinism, the CLI."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.embedded import EmbeddedStore
from loaders.demo import TOWNS, TownSummary, build_town
from loaders.demo import sources as src
from loaders.demo.geo import municipality_code_at

_TIES = (
    RelType.SUPPORTED_BY,
    RelType.KNOWS,
    RelType.NEIGHBOUR_OF,
    RelType.VISITS,
    RelType.ATTENDS,
    RelType.ABOUT,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[EmbeddedStore, TownSummary]]:
    root = tmp_path_factory.mktemp("demo")
    out = {}
    for town, spec in TOWNS.items():
        store = EmbeddedStore(root / f"{town}.sqlite3", town, synchronous="NORMAL")
        out[town] = (store, build_town(store, spec, seed=0))
    yield out
    for store, _ in out.values():
        store.close()


@pytest.mark.parametrize("town", ["toba", "takasu"])
def test_store_holds_what_the_summary_counted_and_every_endpoint_exists(built, town) -> None:
    store, summ = built[town]
    counts = store.counts()
    assert counts.nodes == summ.nodes and counts.rels == summ.rels
    assert summ.atomic  # a real-size town is one transaction
    g = store.projection()
    assert g.number_of_nodes() == counts.total_nodes
    assert g.number_of_edges() == counts.total_rels  # edges with a missing endpoint would be dropped


def test_toba_proportions(built) -> None:
    r = built["toba"][1].rates
    assert r["population"] == pytest.approx(src.TOBA_POPULATION, rel=0.02)
    assert r["aging_rate"] == pytest.approx(0.395, abs=0.015)
    assert r["alone65_men"] == pytest.approx(0.15, abs=0.025)
    assert r["alone65_women"] == pytest.approx(0.22, abs=0.025)
    assert r["disability_rate"] == pytest.approx(0.09, abs=0.01)
    assert r["hikikomori_rate_15_64"] == pytest.approx(0.02, abs=0.006)
    assert 120 <= r["households_per_minsei"] <= 280


def test_takasu_proportions(built) -> None:
    r = built["takasu"][1].rates
    assert r["population"] == pytest.approx(src.TAKASU_POPULATION, rel=0.02)
    assert r["aging_rate"] == pytest.approx(src.TAKASU_AGING_RATE, abs=0.015)
    assert r["alone65_men"] == pytest.approx(0.15, abs=0.03)
    assert r["alone65_women"] == pytest.approx(0.22, abs=0.03)
    assert r["disability_rate"] == pytest.approx(0.09, abs=0.012)
    assert r["hikikomori_rate_15_64"] == pytest.approx(0.02, abs=0.007)
    assert 120 <= r["households_per_minsei"] <= 280


@pytest.mark.parametrize("town", ["toba", "takasu"])
def test_cases_carry_many_factors(built, town) -> None:
    store, summ = built[town]
    hard = [n.props["factors"] for n in store.iter_nodes(NodeLabel.CASE) if n.props["hard"]]
    assert len(hard) >= 20
    assert sum(map(len, hard)) / len(hard) == pytest.approx(src.HARD_CASE_MEAN_FACTORS, abs=0.5)
    assert summ.cases["multi_issue_share_poverty"] > 0.5


@pytest.mark.parametrize("town", ["toba", "takasu"])
def test_households_stand_in_their_settlement_and_municipality(built, town) -> None:
    store, _ = built[town]
    spec = TOWNS[town]
    shapes = [s.shape for s in spec.settlements]
    for n in store.iter_nodes(NodeLabel.HOUSEHOLD):
        lat, lon = n.props["lat"], n.props["lon"]
        assert any(sh.contains(lat, lon) for sh in shapes), n.id
        name = n.props["address"].removeprefix(spec.address_prefix)
        shape = next(s.shape for s in spec.settlements if s.name == name)
        assert shape.contains(lat, lon), n.id
        assert municipality_code_at(lat, lon) == spec.jma_code, n.id


@pytest.mark.parametrize("town", ["toba", "takasu"])
def test_isolated_and_single_weak_tie_households_exist(built, town) -> None:
    store, summ = built[town]
    ties: dict[str, list[tuple[RelType, dict]]] = defaultdict(list)
    hh_of = {n.id: n.props["household_id"] for n in store.iter_nodes(NodeLabel.PERSON)}
    for t in _TIES:
        for r in store.iter_rels(t):
            for end in (r.src, r.dst):
                hid = end.id if end.label is NodeLabel.HOUSEHOLD else hh_of.get(end.id)
                if hid:
                    ties[hid].append((t, r.props))
    households = [n.id for n in store.iter_nodes(NodeLabel.HOUSEHOLD)]
    isolated = [h for h in households if not ties[h]]
    one_weak = [h for h in households if len(ties[h]) == 1 and ties[h][0][1].get("strength") == "weak"]
    assert len(isolated) == summ.rates["isolated_households"] > 0.01 * len(households)
    assert len(one_weak) > 0.02 * len(households)


def test_gaps_hub_of_hard_cases_and_co_serving_agencies_without_a_tie(built) -> None:
    store, _ = built["toba"]
    hard = {n.id for n in store.iter_nodes(NodeLabel.CASE) if n.props["hard"]}
    leads = Counter(
        r.dst.id for r in store.iter_rels(RelType.HANDLED_BY) if r.src.id in hard and r.props["lead"]
    )
    top, n = leads.most_common(1)[0]
    assert top == "toba-AG-houkatsu" and n > 0.5 * len(hard)
    for town in ("toba", "takasu"):
        store, _ = built[town]
        hh_of = {n.id: n.props["household_id"] for n in store.iter_nodes(NodeLabel.PERSON)}
        served: dict[str, set[str]] = defaultdict(set)
        for r in store.iter_rels(RelType.SUPPORTED_BY):
            served[r.dst.id].add(r.src.id if r.src.label is NodeLabel.HOUSEHOLD else hh_of[r.src.id])
        collab = {frozenset((r.src.id, r.dst.id)) for r in store.iter_rels(RelType.COLLABORATES_WITH)}
        agencies = sorted(served)
        gaps = [
            (a, b)
            for i, a in enumerate(agencies)
            for b in agencies[i + 1 :]
            if len(served[a] & served[b]) >= 3 and frozenset((a, b)) not in collab
        ]
        assert gaps, town


def test_same_seed_gives_the_same_projection_and_another_seed_does_not(tmp_path: Path) -> None:
    spec = TOWNS["takasu"]

    def proj(seed: int, name: str) -> tuple[list, list]:
        with EmbeddedStore(tmp_path / f"{name}.sqlite3", "takasu", synchronous="NORMAL") as st:
            build_town(st, spec, seed=seed, households=600)
            build_town(st, spec, seed=seed, households=600)  # a rebuild clears first: same state
            g = st.projection()
            return sorted((k, sorted(v.items())) for k, v in g.nodes(data=True)), sorted(
                (a, b, k, sorted(d.items())) for a, b, k, d in g.edges(keys=True, data=True)
            )

    a = proj(5, "a")
    assert a == proj(5, "b")
    assert a != proj(6, "c")


def test_chunked_build_equals_atomic_build(tmp_path: Path) -> None:
    spec = TOWNS["takasu"]
    with (
        EmbeddedStore(tmp_path / "x.sqlite3", "takasu", synchronous="NORMAL") as x,
        EmbeddedStore(tmp_path / "y.sqlite3", "takasu", synchronous="NORMAL") as y,
    ):
        sx = build_town(x, spec, seed=1, households=2200)
        sy = build_town(y, spec, seed=1, households=2200, atomic_rows=1000)
        assert sx.atomic and not sy.atomic
        assert x.counts() == y.counts()
        assert sorted(x.projection().edges(keys=True)) == sorted(y.projection().edges(keys=True))


def test_cli_demo_writes_summaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from graphsvc.cli import app

    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(tmp_path / "out"))
    runner = CliRunner()
    for _ in range(2):
        res = runner.invoke(app, ["demo", "--town", "takasu", "--households", "400", "--seed", "2"])
        assert res.exit_code == 0, res.output
    assert "鷹栖町" in res.output
    data = json.loads((tmp_path / "out" / "takasu" / "summary.json").read_text(encoding="utf-8"))
    assert data["nodes"]["Household"] == 400 and data["seed"] == 2
    assert {"elderly", "disability", "child", "poverty"} <= set(data["agencies_by_sector"])
    assert "## 地区別" in (tmp_path / "out" / "takasu" / "summary.md").read_text(encoding="utf-8")
    with EmbeddedStore(tmp_path / "data" / "takasu.sqlite3", "takasu") as st:
        assert st.counts().nodes["Household"] == 400  # the rerun cleared first
        # 資源開発: the town's jobs with their hosts, and the proposals as draft openings cut from them
        assert {r.id for r in st.iter_nodes(NodeLabel.JOB)} == {"J-cafe", "J-farm"}
        assert len(list(st.iter_rels(RelType.POSTED_BY))) == 2
        drafts = list(st.iter_rels(RelType.SLICED_FROM))
        assert drafts and all(
            st.get_node(r.src) is not None and st.get_node(r.src).props["status"] == "draft"  # type: ignore[union-attr]
            for r in drafts
        )
    assert (tmp_path / "out" / "takasu" / "petit-catalogue.html").exists()
