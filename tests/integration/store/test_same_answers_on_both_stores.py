"""Both demo towns in the embedded store and in the real Neo4j give the same answers, all the way up.

For each demo town (generated at a reduced size so that the run stays short; the full-size comparison of
``tsunagari demo`` on both stores is in the README), built once into each store: the build summary, the counts,
the projection (nodes, edges, attributes, in order), the whole gap report, the network questions (GDS in the
database against networkx on the embedded projection), matching for the first candidates, and the HSDS round
trip (export from Neo4j equals export from the embedded store; import into a fresh Neo4j town gives the same
resources back).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from graphsvc.analysis import analyse_all
from graphsvc.bootstrap import Container, build
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.hsds import export_hsds, load_hsds
from graphsvc.services.matching import MatchingService
from graphsvc.store.neo4j.gds_statements import NETWORKS
from graphsvc.store.network import NetworkxNetwork, network_of
from graphsvc.store.port import GraphStore
from loaders.demo.build import build_town
from loaders.demo.takasu import TAKASU
from loaders.demo.toba import TOBA

pytestmark = pytest.mark.neo4j

HOUSEHOLDS = {"toba": 500, "takasu": 300}
RESOURCES = (NodeLabel.AGENCY, NodeLabel.VENUE, NodeLabel.EMPLOYER, NodeLabel.OPPORTUNITY)


def _summary(s: Any) -> dict[str, Any]:
    d = asdict(s)
    d.pop("seconds", None)
    return d


@pytest.fixture(scope="module", params=["toba", "takasu"])
def towns(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, neo4j_container: Container
) -> Iterator[tuple[str, GraphStore, GraphStore, dict[str, Any], dict[str, Any]]]:
    name = str(request.param)
    spec = {"toba": TOBA, "takasu": TAKASU}[name]
    with build(store="embedded", data_dir=tmp_path_factory.mktemp(name)) as emb:
        e = emb.store(name)
        n = neo4j_container.store(name)
        se = build_town(e, spec, seed=3, households=HOUSEHOLDS[name])
        sn = build_town(n, spec, seed=3, households=HOUSEHOLDS[name])
        try:
            yield name, e, n, _summary(se), _summary(sn)
        finally:
            n.clear()


def test_build_summary_counts_and_projection_are_the_same(towns: Any) -> None:
    _, e, n, se, sn = towns
    assert se == sn
    assert e.counts() == n.counts()
    ge, gn = e.projection(), n.projection()
    assert list(ge.nodes(data=True)) == list(gn.nodes(data=True))
    assert list(ge.edges(keys=True, data=True)) == list(gn.edges(keys=True, data=True))


def test_gap_report_is_the_same(towns: Any) -> None:
    _, e, n, _, _ = towns

    def report(store: GraphStore) -> dict[str, Any]:
        d = analyse_all(store.projection(), reference_year=2025).to_dict()
        d.pop("seconds", None)
        return json.loads(json.dumps(d, sort_keys=True, default=str))

    assert report(e) == report(n)


def test_gaps_command_writes_the_same_report_from_both_stores(
    towns: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, neo4j_server: Any
) -> None:
    from typer.testing import CliRunner

    import graphsvc.cli.gaps  # noqa: F401  (registers the command)
    from graphsvc.cli.app import app
    from tests.conftest import neo4j_environment

    name, e, _, _, _ = towns
    outputs = {}
    for backend in ("embedded", "neo4j"):
        out = tmp_path / backend
        env = (
            neo4j_environment(neo4j_server)
            if backend == "neo4j"
            else {"TSUNAGARI_STORE": "embedded", "TSUNAGARI_DATA_DIR": str(e.path.parent)}
        )
        for k, v in {**env, "TSUNAGARI_OUT_DIR": str(out)}.items():
            monkeypatch.setenv(k, v)
        res = CliRunner().invoke(app, ["gaps", "--town", name])
        assert res.exit_code == 0, res.output
        report = json.loads((out / name / "gaps.json").read_text(encoding="utf-8"))
        outputs[backend] = json.loads(json.dumps(_drop(report, "seconds"), sort_keys=True))
    assert outputs["embedded"] == outputs["neo4j"]


@pytest.mark.parametrize("network", range(len(NETWORKS)))
def test_network_questions_in_the_database_equal_networkx_on_the_projection(towns: Any, network: int) -> None:
    _, e, n, _, _ = towns
    labels, types = NETWORKS[network]
    gds = network_of(n)
    assert type(gds).__name__ == "GdsNetwork"
    got = gds.answers(labels, types)
    want = NetworkxNetwork(e).answers(labels, types)
    assert (got.components, got.bridges, got.articulation_points) == (
        want.components,
        want.bridges,
        want.articulation_points,
    )
    assert (got.nodes, got.ties) == (want.nodes, want.ties)
    assert got.betweenness == pytest.approx(want.betweenness, abs=1e-9)


def test_matching_is_the_same(towns: Any) -> None:
    _, e, n, _, _ = towns
    me, mn = MatchingService(e), MatchingService(n)
    candidates = me.candidates(limit=5)
    assert candidates and candidates == mn.candidates(limit=5)
    for pid in candidates:
        re_, rn = me.match(pid, top=5, explain=5), mn.match(pid, top=5, explain=5)
        assert [(r.opening_id, round(r.score, 9)) for r in re_.ranked] == [
            (r.opening_id, round(r.score, 9)) for r in rn.ranked
        ]
        assert re_.exclusion_counts == rn.exclusion_counts


def _without_times(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in sorted(path.rglob("*")):
        if f.is_file():
            text = f.read_text(encoding="utf-8")
            if f.suffix == ".json":
                out[str(f.relative_to(path))] = _drop(json.loads(text), "last_modified")
            else:
                out[str(f.relative_to(path))] = (
                    [line for line in text.splitlines() if "last_modified" not in line]
                    if "last_modified" not in text.splitlines()[0]
                    else len(text.splitlines())
                )
    return out


def _drop(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_drop(v, key) for v in value]
    return value


def test_hsds_round_trip_through_neo4j(towns: Any, tmp_path: Path, neo4j_container: Container) -> None:
    name, e, n, _, _ = towns
    export_hsds(e, tmp_path / "emb")
    export_hsds(n, tmp_path / "neo")
    assert _without_times(tmp_path / "emb") == _without_times(tmp_path / "neo")
    fresh = neo4j_container.store(f"{name}hsds")
    try:
        load_hsds(fresh, tmp_path / "neo")
        for label in RESOURCES:
            src = {r.id: r.props for r in n.iter_nodes(label)}
            got = {r.id: r.props for r in fresh.iter_nodes(label)}
            assert set(got) == set(src), label
        hosted = {(r.src.id, r.dst.id) for r in n.iter_rels(RelType.HOSTED_BY)}
        assert {(r.src.id, r.dst.id) for r in fresh.iter_rels(RelType.HOSTED_BY)} == hosted
    finally:
        fresh.clear()
