"""Offline evaluation: the learned scorer beats the expert weights on held-out synthetic outcomes."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from matching.evaluate import (
    EvaluationReport,
    evaluate_scorers,
    format_report,
    learned_wins,
    main,
    ndcg_at_k,
    run,
)
from matching.learn import LearnedScorer
from matching.sim.outcomes import GroundTruth, make_outcomes

# Seeds fixed in advance (not picked after looking at results): 2 lost hit@1 before the pickup feature and
# before C was chosen by cross-validation.
SEEDS = (0, 1, 2)
_HIT_AT_1_KNOWN_LOSS = pytest.mark.xfail(
    strict=True,
    reason="seed 4: learned hit@1 0.525 vs expert 0.560 although it wins AUC, nDCG@5 and Brier; seeds 0-15 with "
    "the factors of issue 11 (limits, conditions read from text): hit@1 won on 15 of 16 (seed 4 loses by 0.035; "
    "before issue 11 seeds 5 and 10 lost); strict, so a fix shows up as XPASS",
)


@functools.cache
def _report(seed: int) -> EvaluationReport:
    return run(seed=seed, people=800, openings=200)


@pytest.fixture(scope="module", params=SEEDS)
def report(request: pytest.FixtureRequest) -> EvaluationReport:
    return _report(request.param)


def test_learned_beats_expert_on_held_out(report: EvaluationReport) -> None:
    e, learned = report.scorer("expert"), report.scorer("learned")
    assert learned.auc > e.auc
    assert learned.ndcg_at_5 > e.ndcg_at_5
    assert learned.brier < report.constant_brier
    assert learned.brier < e.brier


@pytest.mark.parametrize("seed", [0, 1, 2, 3, pytest.param(4, marks=_HIT_AT_1_KNOWN_LOSS), 5, 6, 7])
def test_learned_beats_expert_on_hit_at_1(seed: int) -> None:
    report = _report(seed)
    assert report.scorer("learned").hit_at_1 > report.scorer("expert").hit_at_1
    assert learned_wins(report)


def test_c_is_chosen_by_cross_validation_on_the_training_data() -> None:
    d = make_outcomes(800, 200, seed=2)
    chosen = LearnedScorer(random_state=0).fit(d.X, d.y)
    assert chosen.C_ is not None and 1e-3 <= chosen.C_ < 1.0  # a stronger penalty than the old fixed C=1
    assert chosen.C_by_cv_
    fixed = LearnedScorer(C=0.5, random_state=0).fit(d.X, d.y)
    assert fixed.C_ == 0.5 and not fixed.C_by_cv_
    small = make_outcomes(60, 40, seed=2)  # too few outcomes for nested folds: C=1
    fallback = LearnedScorer(random_state=0).fit(small.X, small.y)
    assert fallback.C_ == 1.0 and not fallback.C_by_cv_
    # The evaluation says which C it used and how it was chosen.
    report = _report(0)
    assert report.regularization_by == "cv" and report.regularization_c is not None
    assert "chosen by cross-validation" in format_report(report)
    tiny = evaluate_scorers(make_outcomes(60, 40, seed=2))
    assert tiny.regularization_by == "too_few" and "too few outcomes" in format_report(tiny)
    for bad in ("auto", 0.0, float("nan")):
        with pytest.raises(ValueError, match="C must be a positive number or 'cv'"):
            LearnedScorer(C=bad).fit(d.X, d.y)  # type: ignore[arg-type]


def test_evaluation_passes_recorded_propensities() -> None:
    d = make_outcomes(200, 80, seed=3)
    weighted = evaluate_scorers(d, learned=LearnedScorer(random_state=3, propensity_weighting=True))
    plain = evaluate_scorers(d, learned=LearnedScorer(random_state=3))
    assert weighted.propensity_weighted and not plain.propensity_weighted
    assert weighted.scorer("expert") == plain.scorer("expert")
    assert weighted.scorer("learned").auc != plain.scorer("learned").auc
    assert "inverse propensity" in format_report(weighted) and "unweighted" in format_report(plain)


def test_held_out_split_is_by_person(report: EvaluationReport) -> None:
    assert report.n_train_people + report.n_test_people <= report.n_people
    assert report.n_test_placements > 100


def test_outcomes_are_deterministic_and_three_valued() -> None:
    a = make_outcomes(60, 40, seed=5)
    b = make_outcomes(60, 40, seed=5)
    assert [(p.person, p.row, p.outcome) for p in a.placements] == [
        (p.person, p.row, p.outcome) for p in b.placements
    ]
    np.testing.assert_array_equal(a.X, b.X)
    assert {p.outcome.value for p in make_outcomes(200, 80, seed=1).placements} == {
        "continued",
        "ended_early",
        "ended_well",
    }
    assert all(0 < p.propensity <= 1 for p in a.placements)


def test_ground_truth_differs_from_experts_as_documented() -> None:
    d = make_outcomes(80, 60, seed=2)
    pc = next(p for p in d.people if len(p.rows) > 3)
    gt = GroundTruth()
    X = pc.X.copy()
    idx = d.index
    km = np.full(len(pc.rows), 5.0)
    base = gt.logit(pc.profile, idx, pc.rows, X, km, np.zeros(len(pc.rows), dtype=bool))
    with_pickup = gt.logit(pc.profile, idx, pc.rows, X, km, np.ones(len(pc.rows), dtype=bool))
    assert (with_pickup >= base).all() and (with_pickup > base).any()  # distance matters less with 送迎


def test_ndcg() -> None:
    rel = np.array([0.1, 0.9, 0.5])
    assert ndcg_at_k(np.array([1, 2, 0]), rel) == pytest.approx(1.0)
    assert ndcg_at_k(np.array([0, 2, 1]), rel) < 1.0


def test_report_table_and_json(report: EvaluationReport) -> None:
    text = format_report(report)
    assert "nDCG@5" in text and "hit@1" in text and "専門家" in text and "学習" in text
    d = report.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert {s["name"] for s in d["scorers"]} == {"expert", "learned"}


def test_module_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "0", "--people", "120", "--openings", "60", "--json"]) in (0, 1)
    d = json.loads(capsys.readouterr().out)
    assert d["seed"] == 0 and d["n_people"] == 120 and d["propensity_weighted"] is False
    assert main(["--seed", "0", "--people", "120", "--openings", "60", "--json", "--ipw"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["propensity_weighted"] is True


def test_cli_command() -> None:
    r = CliRunner().invoke(
        app, ["evaluate", "--seed", "1", "--people", "120", "--openings", "60", "-f", "json"]
    )
    assert r.exit_code in (0, 1), r.output  # 1: learned did not beat expert (possible at this small size)
    assert json.loads(r.stdout)["seed"] == 1
    r = CliRunner().invoke(app, ["evaluate", "--seed", "1", "--people", "120", "--openings", "60"])
    assert r.exit_code in (0, 1), r.output
    assert "学習モデル" in r.output
