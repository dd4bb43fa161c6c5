"""Ranking: vectorised equals the per-pair loop, scores in [0, 1], sklearn conventions, JSON, references."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching import FEATURES, ExpertScorer, FeatureBuilder, OpeningIndex, Profile, rank, rank_per_pair
from matching.constraints import evaluate, pair_reasons
from matching.factors import pair_features, profile_vector
from matching.sim.openings import make_openings, make_profile


@pytest.fixture(scope="module")
def index() -> OpeningIndex:
    return OpeningIndex.build(make_openings(600, seed=3))


def test_vectorised_equals_per_pair(index: OpeningIndex) -> None:
    p = make_profile()
    pv = profile_vector(p, index)
    cons = evaluate(pv, index)
    for i in range(len(index)):
        assert cons.reasons_of(i) == pair_reasons(pv, index, i), index.openings[i].id
    X = FeatureBuilder().fit().transform(pv, index)
    ref = np.array([pair_features(pv, index, i) for i in range(len(index))])
    np.testing.assert_allclose(X, ref, atol=1e-6)
    full = rank(p, index)
    loop = dict(rank_per_pair(p, index))
    assert len(loop) == full.n_feasible > 0
    for item_id, score in zip([index.openings[i].id for i in full.order], full.scores, strict=True):
        assert abs(loop[item_id] - score) < 1e-6


def test_scores_in_unit_interval_and_sorted(index: OpeningIndex) -> None:
    r = rank(make_profile(), index)
    assert np.all((r.scores >= 0) & (r.scores <= 1))
    assert np.all(np.diff(r.scores) <= 1e-12)
    assert len(r.ranked) == r.n_feasible
    assert all(item.factors for item in r.ranked[:10]) and not r.ranked[10].factors


def test_top_n_matches_head_of_full_ranking(index: OpeningIndex) -> None:
    p = make_profile()
    full = rank(p, index)
    top = rank(p, index, top=7)
    assert [x.opening_id for x in top.ranked] == [x.opening_id for x in full.ranked[:7]]


def test_contributions_sum_to_score(index: OpeningIndex) -> None:
    r = rank(make_profile(), index, top=5)
    for item in r.ranked:
        total = sum(f.contribution for f in item.factors)
        assert abs(min(1.0, max(0.0, total)) - item.score) < 1e-9
        assert {f.name for f in item.factors} == set(FEATURES) - {"pickup"}  # weight 0: not explained
        assert all(f.reason for f in item.factors)


def test_pickup_feature_is_the_trip_using_the_hosts_pickup(index: OpeningIndex) -> None:
    p = make_profile()  # walks, takes the bus, accepts 送迎
    pv = profile_vector(p, index)
    j = FEATURES.index("pickup")
    X = FeatureBuilder().fit().transform(pv, index)
    trip = ~index.remote & ~index.relocation
    np.testing.assert_array_equal(X[:, j], (index.pickup & trip).astype(float))
    assert 0 < X[:, j].sum() < index.pickup.sum()  # remote openings and places to live offer no trip
    no_pickup = p.model_copy(update={"travel": p.travel.model_copy(update={"modes": p.travel.modes[:2]})})
    X0 = FeatureBuilder().fit().transform(profile_vector(no_pickup, index), index)
    assert not X0[:, j].any()
    assert [pair_features(pv, index, i)[j] for i in range(len(index))] == X[:, j].tolist()


def test_pickup_is_neutral_for_the_expert(index: OpeningIndex) -> None:
    from matching.scorers import DEFAULT_WEIGHTS

    assert DEFAULT_WEIGHTS["pickup"] == 0.0
    p = make_profile()
    X = FeatureBuilder().fit().transform(profile_vector(p, index), index)
    zeroed = X.copy()
    zeroed[:, FEATURES.index("pickup")] = 0.0
    s = ExpertScorer().fit()
    np.testing.assert_array_equal(s.predict(X), s.predict(zeroed))
    r = rank(p, index)
    assert all(f.name != "pickup" for item in r.ranked[:10] for f in item.factors)


def test_expert_scorer_follows_sklearn_conventions() -> None:
    s = ExpertScorer(weights={"needs": 0.3}, random_state=0)
    assert s.get_params() == {"weights": {"needs": 0.3}, "random_state": 0}
    assert not hasattr(s, "coef_")  # no logic in __init__
    with pytest.raises(NotFittedError):
        s.predict(np.zeros((1, len(FEATURES))))
    assert s.fit() is s
    assert s.coef_[FEATURES.index("needs")] == 0.3 and s.coef_[FEATURES.index("avoid")] < 0
    c = clone(s)
    assert c.get_params() == s.get_params() and not hasattr(c, "coef_")
    with pytest.raises(ValueError, match="未知の要素"):
        ExpertScorer(weights={"nope": 1}).fit()
    fb = FeatureBuilder()
    assert fb.fit() is fb and list(fb.get_feature_names_out()) == list(FEATURES)


def test_custom_scorer_changes_the_order(index: OpeningIndex) -> None:
    p = make_profile()
    default = rank(p, index, top=5)
    distance_only = ExpertScorer(weights={f: 0.0 for f in FEATURES} | {"distance": 1.0}).fit()
    r = rank(p, index, top=5, scorer=distance_only)
    assert [x.opening_id for x in r.ranked] != [x.opening_id for x in default.ranked]
    assert all(x.factor("distance").contribution == x.score for x in r.ranked)


def test_transform_pairs_matches_transform(index: OpeningIndex) -> None:
    p = make_profile()
    pv = profile_vector(p, index)
    fb = FeatureBuilder().fit()
    rows = [5, 17, 3]
    X = fb.transform_pairs([(pv, index, i) for i in rows])
    np.testing.assert_allclose(X, fb.transform(pv, index)[rows])


def test_past_outcomes_hook(index: OpeningIndex) -> None:
    o = index.openings[0]
    p = make_profile().model_copy(update={"past_placements": [], "consent": make_profile().consent})
    base = FeatureBuilder().fit().transform(profile_vector(p, index), index)[0, FEATURES.index("outcomes")]
    assert base == 0.5
    hist = OpeningIndex.build(
        index.openings[:3], history={o.id: ["ended_early", "ended_early", "ended_early"]}
    )
    v = FeatureBuilder().fit().transform(profile_vector(p, hist), hist)[0, FEATURES.index("outcomes")]
    assert v == pytest.approx(1 / 5)
    bad = Profile.model_validate(
        {**p.model_dump(mode="json"), "past_placements": [{"opening_id": o.id, "outcome": "ended_early"}]}
    )
    v2 = FeatureBuilder().fit().transform(profile_vector(bad, index), index)[0, FEATURES.index("outcomes")]
    assert v2 == 0.0


def test_unknown_ids_in_profile_are_warnings(index: OpeningIndex) -> None:
    p = Profile.model_validate(
        {
            "consent": {"all_hosts": True, "host_ids": ["H-nope"]},
            "past_placements": [{"opening_id": "O-nope", "outcome": "continued"}],
        }
    )
    r = rank(p, index, top=1)
    fields = {(w.field, w.value) for w in r.warnings}
    assert fields == {("consent.host_ids", "H-nope"), ("past_placements.0.opening_id", "O-nope")}


def test_to_json_round_trip(index: OpeningIndex) -> None:
    r = rank(make_profile(), index, top=3)
    d = json.loads(r.to_json())
    assert d["n_candidates"] == len(index) and len(d["ranked"]) == 3
    assert d["ranked"][0]["factors"][0]["reason"]
    assert sum(d["exclusion_counts"].values()) >= len(index) - d["n_feasible"]
    assert {"code", "message", "detail"} <= set(d["exclusions"][0]["reasons"][0])


def test_rank_accepts_domain_opportunities() -> None:
    from graphsvc.domain import Opportunity, OpportunityKind

    opp = Opportunity(
        id="OPP-1", title="農園の収穫", kind=OpportunityKind.INTERMEDIATE_WORK, provides=["収入"]
    )
    r = rank(Profile(consent={"all_hosts": True}, needs=["収入"]), [opp])
    assert r.ranked[0].opening_id == "OPP-1" and r.ranked[0].factor("needs").value == 1.0
