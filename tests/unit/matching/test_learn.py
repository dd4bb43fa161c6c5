"""The learned scorer: estimator conventions, calibration, fitting from record rows, persistence, rank()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupShuffleSplit

from graphsvc.domain.enums import PlacementOutcome
from matching import FEATURES, ExpertScorer, LearnedScorer, OpeningIndex, rank
from matching.explain import SHOWN_WHEN_PRESENT
from matching.learn import (
    DEFAULT_CLIP_PERCENTILE,
    INTERACTIONS,
    RETENTION_FACTOR,
    outcome_labels,
    propensity_weights,
)
from matching.sim.outcomes import OutcomeData, is_success, make_outcomes


@pytest.fixture(scope="module")
def data() -> OutcomeData:
    return make_outcomes(300, 120, seed=11)


@pytest.fixture(scope="module")
def fitted(data: OutcomeData) -> LearnedScorer:
    return LearnedScorer(random_state=0).fit(data.X, data.y)


def test_init_stores_params_only_and_clone_works() -> None:
    s = LearnedScorer(model="hgb", calibration="isotonic", cv=3, C=0.5, random_state=4)
    assert s.get_params()["model"] == "hgb" and s.get_params()["C"] == 0.5
    assert not [k for k in vars(s) if k.endswith("_")]  # nothing learned in __init__
    c = clone(s)
    assert c.get_params() == s.get_params() and c is not s
    c.set_params(cv=4, model="logistic")
    assert c.cv == 4 and s.cv == 3


def test_unfitted_raises(data: OutcomeData) -> None:
    s = LearnedScorer()
    for call in (s.predict, s.predict_proba, s.contributions):
        with pytest.raises(NotFittedError):
            call(data.X[:2])


def test_fit_returns_self_and_learned_attributes(data: OutcomeData) -> None:
    s = LearnedScorer(random_state=0)
    assert s.fit(data.X, data.y) is s
    assert s.n_features_in_ == len(FEATURES)
    assert list(s.feature_names_in_) == list(FEATURES)
    assert list(s.classes_) == [0, 1]
    assert 0 < s.base_rate_ < 1
    assert s.factor_weights_.shape == (len(FEATURES),) and (s.factor_weights_ > 0).all()
    p = s.predict_proba(data.X[:20])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(s.predict(data.X[:20]), p[:, 1])


def test_fit_is_deterministic_and_both_models_fit(data: OutcomeData) -> None:
    a = LearnedScorer(random_state=3).fit(data.X, data.y).predict(data.X[:30])
    b = LearnedScorer(random_state=3).fit(data.X, data.y).predict(data.X[:30])
    np.testing.assert_array_equal(a, b)
    h = LearnedScorer(model="hgb", calibration="isotonic", cv=2, max_iter=10, random_state=0)
    h.fit(data.X, data.y)
    assert ((h.predict(data.X) >= 0) & (h.predict(data.X) <= 1)).all()


def test_bad_inputs_are_japanese_first_errors(data: OutcomeData) -> None:
    with pytest.raises(ValueError, match="特徴量の列数"):
        LearnedScorer().fit(data.X[:, :5], data.y)
    with pytest.raises(ValueError, match="両方"):
        LearnedScorer().fit(data.X[:20], np.ones(20))
    with pytest.raises(ValueError, match="未知のモデル"):
        LearnedScorer(model="forest").fit(data.X, data.y)  # type: ignore[arg-type]


def test_outcome_labels() -> None:
    got = outcome_labels(
        [PlacementOutcome.CONTINUED, "ended_early", PlacementOutcome.ENDED_WELL, True, 0, "1"]
    )
    assert got.tolist() == [1, 0, 1, 1, 0, 1]
    assert is_success("ended_well") and not is_success(PlacementOutcome.ENDED_EARLY)


def test_calibrated_on_held_out_split() -> None:
    d = make_outcomes(1500, 200, seed=21)
    X, y, g = d.X, d.y, d.groups
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.4, random_state=0).split(X, y, g))
    s = LearnedScorer(random_state=0).fit(X[train], y[train])
    p = s.predict(X[test])
    assert abs(p.mean() - y[test].mean()) < 0.05
    brier = float(np.mean((p - y[test]) ** 2))
    constant = float(np.mean((y[train].mean() - y[test]) ** 2))
    assert brier < constant - 0.02


def test_fit_outcomes_from_record_rows(data: OutcomeData, fitted: LearnedScorer) -> None:
    rows = data.rows()
    assert len(rows) == len(data.placements)
    s = LearnedScorer(random_state=0).fit_outcomes(rows)
    # rows recompute the same features against an index of the placed openings (text TF-IDF aside)
    X, y = LearnedScorer.features_of(rows)
    np.testing.assert_array_equal(y, data.y)
    no_text = [k for k, f in enumerate(FEATURES) if f != "text"]
    np.testing.assert_allclose(X[:, no_text], data.X[:, no_text], atol=1e-9)
    assert np.corrcoef(s.predict(data.X), fitted.predict(data.X))[0, 1] > 0.95


def test_fit_outcomes_hides_a_rows_own_outcome(data: OutcomeData) -> None:
    profile, opening, outcome = data.rows()[0]
    past = [{"opening_id": opening.id, "host_id": opening.host_id, "outcome": outcome.value}]
    own = type(profile).model_validate({**profile.model_dump(mode="json"), "past_placements": past})
    X_own, _ = LearnedScorer.features_of([(own, opening, outcome)])
    X_plain, _ = LearnedScorer.features_of([(profile, opening, outcome)])
    np.testing.assert_array_equal(X_own, X_plain)


def test_persistence_round_trip(tmp_path: Path, data: OutcomeData, fitted: LearnedScorer) -> None:
    path = fitted.save(tmp_path / "models" / "learned.joblib")
    loaded = LearnedScorer.load(path)
    np.testing.assert_array_equal(loaded.predict(data.X), fitted.predict(data.X))
    assert loaded.get_params() == fitted.get_params()
    import joblib

    joblib.dump({"something": "else"}, tmp_path / "other.joblib")
    with pytest.raises(ValueError, match="学習済みスコアラーのファイルではありません"):
        LearnedScorer.load(tmp_path / "other.joblib")


def test_rank_with_learned_scorer_explains_every_factor(data: OutcomeData, fitted: LearnedScorer) -> None:
    pc = next(p for p in data.people if len(p.rows) >= 5)
    index: OpeningIndex = data.index
    r = rank(pc.profile, index, scorer=fitted, top=5)
    assert r.n_feasible == len(pc.rows)
    np.testing.assert_allclose(np.sort(r.scores)[::-1], r.scores)
    np.testing.assert_allclose(r.scores, np.sort(fitted.predict(pc.X))[::-1][:5])
    j = FEATURES.index("pickup")
    for k, item in enumerate(r.ranked):
        names = [f.name for f in item.factors]
        assert names[0] == RETENTION_FACTOR
        assert set(FEATURES) - SHOWN_WHEN_PRESENT <= set(names)
        assert all(f.reason for f in item.factors)
        # 送迎 is a fact: listed only where the trip uses it, never as a 「送迎なし」 line
        assert ("pickup" in names) == (r.features[k, j] > 0)
        if "pickup" in names:
            assert item.factor("pickup").reason == "送迎あり (受け入れ先の送迎を利用)"
        assert item.reasons[0].startswith("過去の結果から見た3か月定着の見込み ")
        assert f"{item.score:.0%}" in item.reasons[0]
    d = r.to_dict()
    assert d["ranked"][0]["factors"][0]["name"] == RETENTION_FACTOR
    ids, scores = fitted.score_openings(pc.profile, index)
    assert ids[:5] == [x.opening_id for x in r.ranked]
    assert len(scores) == r.n_feasible


def test_pickup_interaction_column() -> None:
    X = np.zeros((3, len(FEATURES)))
    X[:, FEATURES.index("distance")] = [0.25, 0.25, 1.0]
    X[:, FEATURES.index("pickup")] = [0.0, 1.0, 1.0]
    s = LearnedScorer(interactions=True)
    Z = s._columns(X)
    assert Z.shape[1] == len(FEATURES) + len(INTERACTIONS)
    np.testing.assert_allclose(
        Z[:, len(FEATURES) + INTERACTIONS.index("pickup_x_distance")], [0.0, 0.75, 0.0]
    )


def test_contributions_are_occlusion_effects(data: OutcomeData, fitted: LearnedScorer) -> None:
    X = data.X[:7]
    c = fitted.contributions(X)
    assert c.shape == X.shape
    j = FEATURES.index("contact")
    Xo = X.copy()
    Xo[:, j] = fitted.reference_[j]
    np.testing.assert_allclose(c[:, j], fitted.predict(X) - fitted.predict(Xo))


def test_expert_rank_unchanged_by_hook(data: OutcomeData) -> None:
    pc = data.people[0]
    r = rank(pc.profile, data.index, scorer=ExpertScorer().fit(), top=3)
    assert all(f.name in FEATURES for item in r.ranked for f in item.factors)


def _propensities(data: OutcomeData) -> np.ndarray:
    return np.array([p.propensity for p in data.placements])


def test_propensity_weights_are_clipped_and_self_normalised() -> None:
    p = np.array([0.5, 0.25, 0.1, 0.01, 0.001] * 20)
    w = propensity_weights(p)
    assert w.mean() == pytest.approx(1.0)
    raw = 1.0 / p
    cap = np.percentile(raw, DEFAULT_CLIP_PERCENTILE)
    np.testing.assert_allclose(w, np.minimum(raw, cap) / np.minimum(raw, cap).mean())
    assert w.max() / w.min() <= cap / raw.min() + 1e-9
    assert (np.diff(w[:5]) >= 0).all()  # rarer proposals weigh more
    unclipped = propensity_weights(p, clip=None)
    np.testing.assert_allclose(unclipped, raw / raw.mean())
    assert propensity_weights([]).shape == (0,)
    for bad in ([0.0, 0.5], [1.5], [np.nan]):
        with pytest.raises(ValueError, match="傾向スコア"):
            propensity_weights(bad)
    with pytest.raises(ValueError, match="百分位"):
        propensity_weights([0.5], clip=0)


def test_propensity_weighting_params_and_clone() -> None:
    s = LearnedScorer(propensity_weighting=True, clip=90.0)
    assert s.get_params()["propensity_weighting"] is True and s.get_params()["clip"] == 90.0
    assert clone(s).get_params() == s.get_params()
    assert (
        LearnedScorer().propensity_weighting is False
    )  # default unweighted (IPW lost the offline evaluation)


def test_propensity_weighting_reaches_the_calibrated_model(data: OutcomeData, fitted: LearnedScorer) -> None:
    prop = _propensities(data)
    w = LearnedScorer(random_state=0, propensity_weighting=True).fit(data.X, data.y, propensities=prop)
    assert w.propensity_weighted_ and not fitted.propensity_weighted_
    assert not np.allclose(w.predict(data.X), fitted.predict(data.X))
    # the same as passing the weights by hand through CalibratedClassifierCV
    by_hand = LearnedScorer(random_state=0).fit(data.X, data.y, sample_weight=propensity_weights(prop))
    np.testing.assert_allclose(w.predict(data.X[:50]), by_hand.predict(data.X[:50]))
    # sample weights and inverse propensities multiply
    sw = np.random.default_rng(0).uniform(0.5, 1.5, len(prop))
    both = LearnedScorer(random_state=0, propensity_weighting=True).fit(
        data.X, data.y, sample_weight=sw, propensities=prop
    )
    product = LearnedScorer(random_state=0).fit(data.X, data.y, sample_weight=sw * propensity_weights(prop))
    np.testing.assert_allclose(both.predict(data.X[:50]), product.predict(data.X[:50]))


def test_propensity_weighting_falls_back_to_unweighted(data: OutcomeData, fitted: LearnedScorer) -> None:
    no_prop = LearnedScorer(random_state=0, propensity_weighting=True).fit(data.X, data.y)
    assert not no_prop.propensity_weighted_
    np.testing.assert_array_equal(no_prop.predict(data.X[:50]), fitted.predict(data.X[:50]))
    off = LearnedScorer(random_state=0).fit(data.X, data.y, propensities=_propensities(data))
    assert not off.propensity_weighted_
    np.testing.assert_array_equal(off.predict(data.X[:50]), fitted.predict(data.X[:50]))
    with pytest.raises(ValueError, match="傾向スコアの件数"):
        LearnedScorer(propensity_weighting=True).fit(data.X, data.y, propensities=_propensities(data)[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        LearnedScorer().fit(data.X, data.y, sample_weight=np.ones(3))


def test_fit_outcomes_with_propensities(data: OutcomeData) -> None:
    rows = data.rows()
    prop = _propensities(data)
    s = LearnedScorer(random_state=0, propensity_weighting=True).fit_outcomes(rows, propensities=prop)
    assert s.propensity_weighted_
    X, y = LearnedScorer.features_of(rows)
    ref = LearnedScorer(random_state=0, propensity_weighting=True).fit(X, y, propensities=prop)
    np.testing.assert_array_equal(s.predict(X[:30]), ref.predict(X[:30]))
    assert (
        not LearnedScorer(random_state=0, propensity_weighting=True).fit_outcomes(rows).propensity_weighted_
    )
