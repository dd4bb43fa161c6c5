"""The follow-up loop: outcomes recorded through the placement lifecycle refit the learned scorer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import build
from graphsvc.domain import DomainValidationError, PlacementOutcome, PlacementStatus
from graphsvc.services.learning import MIN_PER_CLASS, outcome_rows, refit
from graphsvc.services.matching import MatchingService
from graphsvc.services.placements import PlacementService
from graphsvc.store.port import GraphStore
from loaders.demo import build_town, get_spec
from matching import LearnedScorer


@pytest.fixture(scope="module")
def town_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("learn")
    c = build(data_dir=d)
    build_town(c.store("takasu"), get_spec("takasu"))
    c.close()
    return d / "takasu.sqlite3"


def record_outcomes(store: GraphStore, n: int) -> None:
    """Walk n placements through the whole lifecycle. The outcome follows the contact factor (placements above a
    person's comfort end early), and every third of the rest ends early too, so both outcomes are recorded."""
    svc = MatchingService(store)
    places = PlacementService(store)
    done = 0
    for pid in svc.candidates():
        if done >= n:
            break
        ranked = svc.match(pid, top=2, explain=2).ranked
        for item in ranked[:1]:
            contact = item.factor("contact").value
            early = contact < 0.99 or done % 3 == 0
            outcome = PlacementOutcome.ENDED_EARLY if early else PlacementOutcome.ENDED_WELL
            places.propose(pid, item.opening_id, by="参加支援員")
            for st in (PlacementStatus.CONTACTED, PlacementStatus.ACCEPTED, PlacementStatus.STARTED):
                places.transition(pid, item.opening_id, st, by="参加支援員")
            places.transition(pid, item.opening_id, PlacementStatus.ENDED, by="参加支援員", outcome=outcome)
            done += 1


def test_refit_from_recorded_outcomes_and_match_with_it(town_file: Path, tmp_path: Path) -> None:
    shutil.copy(town_file, tmp_path / "takasu.sqlite3")
    c = build(data_dir=tmp_path)
    store = c.store("takasu")
    before = len(outcome_rows(store))
    record_outcomes(store, 60)
    rows = outcome_rows(store)
    assert len(rows) >= before + 50
    report = refit(store, tmp_path / "takasu.scorer.joblib")
    assert (
        report.rows == len(rows) and report.settled >= MIN_PER_CLASS and report.ended_early >= MIN_PER_CLASS
    )
    scorer = LearnedScorer.load(report.path)
    pid = MatchingService(store).candidates()[0]
    res = MatchingService(store, scorer=scorer).match(pid, top=3, explain=3)
    if res.ranked:
        assert "定着の見込み" in res.ranked[0].factors[0].reason
    c.close()


def test_refit_refuses_too_few_outcomes(town_file: Path, tmp_path: Path) -> None:
    shutil.copy(town_file, tmp_path / "takasu.sqlite3")
    c = build(data_dir=tmp_path)
    with pytest.raises(DomainValidationError, match="足りません"):
        refit(c.store("takasu"), tmp_path / "x.joblib")
    c.close()


def test_cli_learn_then_match_with_learned(
    town_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphsvc.cli import app

    shutil.copy(town_file, tmp_path / "takasu.sqlite3")
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    c = build(data_dir=tmp_path)
    store = c.store("takasu")
    pid = next(
        p for p in MatchingService(store).candidates() if MatchingService(store).match(p, top=1).ranked
    )
    res = runner.invoke(app, ["match", "--person", pid, "--town", "takasu", "--scorer", "learned"])
    assert res.exit_code == 2 and "tsunagari learn" in res.output
    record_outcomes(store, 60)
    c.close()
    res = runner.invoke(app, ["learn", "--town", "takasu"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "takasu.scorer.joblib").exists()
    res = runner.invoke(
        app, ["match", "--person", pid, "--town", "takasu", "--scorer", "learned", "--explain"]
    )
    assert res.exit_code == 0, res.output
    assert "定着の見込み" in res.output
