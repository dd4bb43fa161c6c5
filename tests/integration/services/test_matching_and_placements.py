"""Matching over a stored town, batch assignment, and the placement lifecycle (embedded store, 鷹栖 demo)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import Container, build
from graphsvc.domain import (
    ConflictError,
    NodeLabel,
    NotFoundError,
    PlacementOutcome,
    PlacementStatus,
)
from graphsvc.services.learning import outcome_rows
from graphsvc.services.matching import MatchingService
from graphsvc.services.placements import PlacementService
from graphsvc.store.port import GraphStore, NodeRef
from loaders.demo import build_town, get_spec
from matching import Profile


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("town")
    c = build(data_dir=d)
    build_town(c.store("takasu"), get_spec("takasu"))
    c.close()
    return d


@pytest.fixture
def container(data_dir: Path, tmp_path: Path) -> Iterator[Container]:
    # each test works on its own copy of the town
    import shutil

    shutil.copy(data_dir / "takasu.sqlite3", tmp_path / "takasu.sqlite3")
    c = build(data_dir=tmp_path, out_dir=tmp_path / "out")
    yield c
    c.close()


@pytest.fixture
def store(container: Container) -> GraphStore:
    return container.store("takasu")


def consenting_candidate(svc: MatchingService) -> str:
    for pid in svc.candidates():
        prof = svc.profile(pid)
        if prof.consent.all_hosts and svc.match(pid, top=1).ranked:
            return pid
    raise AssertionError("no consenting candidate in the demo town")


def test_profile_is_completed_from_the_graph(store: GraphStore) -> None:
    svc = MatchingService(store)
    pid = svc.candidates()[0]
    prof = svc.profile(pid)
    assert isinstance(prof, Profile) and prof.id == pid
    assert prof.home is not None and prof.age is not None and 16 <= prof.age <= 70


def test_match_a_stored_person_gives_reasons_and_exclusions(store: GraphStore) -> None:
    svc = MatchingService(store)
    pid = consenting_candidate(svc)
    res = svc.match(pid, top=3, explain=3)
    best = res.ranked[0]
    assert 0 < best.score <= 1 and best.factors
    assert all(f.reason for f in best.factors)
    assert len(res.exclusions) + len(svc.match(pid, top=None).ranked) == len(svc.opportunities())
    assert sum(res.exclusion_counts.values()) >= len(res.exclusions)


def test_unknown_person_and_person_without_profile(store: GraphStore) -> None:
    svc = MatchingService(store)
    with pytest.raises(NotFoundError, match="見つかりません"):
        svc.match("nobody")
    no_profile = next(
        r.id for r in store.iter_nodes(NodeLabel.PERSON) if "participation_profile_json" not in r.props
    )
    with pytest.raises(ConflictError, match="プロフィールがありません"):  # the person's state: 409
        svc.match(no_profile)


def test_assignment_is_exact_and_respects_capacity(store: GraphStore) -> None:
    svc = MatchingService(store)
    res = svc.assign(k=1)
    assert res.exact.objective >= res.greedy.objective - 1e-9
    assert res.exact.upper_bound is None or res.exact.objective <= res.exact.upper_bound + 1e-6
    caps = {o.id: o.capacity_left for o in svc.catalogue().openings}
    used: dict[str, int] = {}
    people = [r["person_id"] for r in res.rows()]
    assert len(people) == len(set(people))  # k = 1
    for row in res.rows():
        used[row["opportunity_id"]] = used.get(row["opportunity_id"], 0) + 1
        assert (
            res.person_ids.index(row["person_id"]),
            res.opening_ids.index(row["opportunity_id"]),
        ) in res.scores
    for oid, n in used.items():
        assert caps[oid] is None or n <= caps[oid]


def test_placement_lifecycle_history_and_capacity(store: GraphStore) -> None:
    svc = MatchingService(store)
    pid = consenting_candidate(svc)
    oid = svc.match(pid, top=1).ranked[0].opening_id
    places = PlacementService(store)

    def available() -> int:
        node = store.get_node(NodeRef(NodeLabel.OPPORTUNITY, oid))
        assert node is not None
        return int(node.props.get("capacity_available", node.props.get("capacity_max", 0)))

    before = available()
    places.propose(pid, oid, by="参加支援員A", note="本人と面談済み")
    with pytest.raises(ConflictError, match="進めません"):
        places.transition(pid, oid, PlacementStatus.STARTED, by="参加支援員A")
    places.transition(pid, oid, PlacementStatus.CONTACTED, by="参加支援員A")
    places.transition(pid, oid, PlacementStatus.ACCEPTED, by="受け入れ先B")
    assert available() == before - 1
    places.transition(pid, oid, PlacementStatus.STARTED, by="参加支援員A")
    places.transition(
        pid, oid, PlacementStatus.FOLLOW_UP, by="参加支援員A", host_notes="声かけのタイミングに迷う"
    )
    assert available() == before - 1
    done = places.transition(
        pid, oid, PlacementStatus.ENDED, by="参加支援員A", outcome=PlacementOutcome.ENDED_WELL
    )
    assert available() == before
    assert [e.status for e in done.props.history] == [
        PlacementStatus.PROPOSED,
        PlacementStatus.CONTACTED,
        PlacementStatus.ACCEPTED,
        PlacementStatus.STARTED,
        PlacementStatus.FOLLOW_UP,
        PlacementStatus.ENDED,
    ]
    assert done.props.history[2].by == "受け入れ先B" and done.props.host_notes == "声かけのタイミングに迷う"
    stored = places.get(pid, oid)
    assert stored is not None and stored.props == done.props
    # the outcome is now training data, and the matching history sees it
    rows = [r for r in outcome_rows(store) if r[1].id == oid and r[0].id == pid]
    assert rows and rows[0][2] is PlacementOutcome.ENDED_WELL
    assert PlacementOutcome.ENDED_WELL in svc.outcome_history()[oid]


def test_cli_match_assign_and_placement(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphsvc.cli import app

    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(container.settings.out_dir))
    svc = MatchingService(container.store("takasu"))
    pid = consenting_candidate(svc)
    runner = CliRunner()
    res = runner.invoke(app, ["match", "--person", pid, "--town", "takasu", "--top", "3", "--explain"])
    assert res.exit_code == 0, res.output
    assert "参加メニューの候補" in res.output and "点" in res.output
    res = runner.invoke(app, ["match", "--town", "takasu"])
    assert res.exit_code == 2 and "どちらか一方" in res.output
    res = runner.invoke(app, ["assign", "--town", "takasu"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader((container.settings.out_dir / "takasu" / "assignment.csv").open(encoding="utf-8")))
    assert rows[0] == ["person_id", "opportunity_id", "title", "score"]
    assert any(r and r[0] == "# objective (greedy baseline)" for r in rows)
    oid = svc.match(pid, top=1).ranked[0].opening_id
    res = runner.invoke(
        app, ["placement", "propose", "--person", pid, "--opportunity", oid, "--by", "A", "--town", "takasu"]
    )
    assert res.exit_code == 0 and '"proposed"' in res.output
    res = runner.invoke(
        app,
        [
            "placement",
            "update",
            "--person",
            pid,
            "--opportunity",
            oid,
            "--status",
            "ended",
            "--by",
            "A",
            "--town",
            "takasu",
        ],
    )
    assert res.exit_code == 2 and "進めません" in res.output


def test_catalogue_is_cached_until_the_town_changes(store: GraphStore) -> None:
    svc = MatchingService(store)
    first = svc.catalogue()
    assert MatchingService(store).catalogue() is first  # same revision: the cached index
    pid = consenting_candidate(svc)
    oid = svc.match(pid, top=1).ranked[0].opening_id
    PlacementService(store).propose(pid, oid, by="A")
    again = svc.catalogue()
    assert again is not first  # a write (here a proposal) invalidates it
    assert [o.id for o in again.openings] == [o.id for o in first.openings]
