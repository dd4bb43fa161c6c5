"""Clustering: strict joins, whole-cluster checks, review queue, reviewer decisions."""

from __future__ import annotations

from linkage.cluster import Edge, Member, cluster_problems, cluster_records
from linkage.dates import BirthDate

UP, LOW = 8.0, 0.0


def _m(uid: str, birth: BirthDate | None = None, sex: str | None = None) -> Member:
    return Member(uid, birth, sex)


def test_pairs_above_upper_link_and_band_goes_to_review() -> None:
    ms = {u: _m(u) for u in "abcd"}
    r = cluster_records(
        ms, [Edge("a", "b", 12, 0.999), Edge("c", "d", 3, 0.9)], upper_weight=UP, lower_weight=LOW
    )
    assert r.cluster_of["a"] == r.cluster_of["b"]
    assert r.cluster_of["c"] != r.cluster_of["d"]
    assert [(x.a, x.b, x.reason) for x in r.review] == [("c", "d", "band")]


def test_one_strong_link_does_not_chain_two_people() -> None:
    """a–b and b–c are strong, a–c is strongly against: c does not join a's cluster."""
    ms = {u: _m(u) for u in "abc"}
    edges = [Edge("a", "b", 15, 1.0), Edge("b", "c", 10, 0.999), Edge("a", "c", -20, 0.0)]
    r = cluster_records(ms, edges, upper_weight=UP, lower_weight=LOW)
    assert r.cluster_of["a"] == r.cluster_of["b"] != r.cluster_of["c"]
    assert r.review[0].reason == "weak_join"


def test_birth_dates_checked_across_the_cluster() -> None:
    ms = {
        "a": _m("a", BirthDate(1950, 3, 4)),
        "b": _m("b", None),
        "c": _m("c", BirthDate(1962, 8, 1)),
    }
    r = cluster_records(ms, [Edge("a", "b", 12, 1), Edge("b", "c", 11, 1)], upper_weight=UP, lower_weight=LOW)
    assert r.cluster_of["a"] == r.cluster_of["b"] != r.cluster_of["c"]
    assert r.review[0].reason == "birth_conflict"


def test_known_date_errors_are_not_conflicts() -> None:
    assert cluster_problems([_m("a", BirthDate(1950, 3, 4)), _m("b", BirthDate(1950, 4, 3))]) == []
    assert cluster_problems([_m("a", BirthDate(1950, 3, 4)), _m("c", BirthDate(1951, 3, 4))]) == []
    # two errors at once (swapped and a year off) no longer look like one date
    assert cluster_problems([_m("b", BirthDate(1950, 4, 3)), _m("c", BirthDate(1951, 3, 4))]) == [
        "birth_conflict"
    ]
    assert cluster_problems([_m("a", BirthDate(1950)), _m("b", BirthDate(1950, 6, 1))]) == []
    assert cluster_problems([_m("a", BirthDate(1950, 3, 4)), _m("b", BirthDate(1962, 8, 1))]) == [
        "birth_conflict"
    ]
    assert cluster_problems([_m("a", sex="m"), _m("b", sex="f"), _m("c")]) == ["sex_conflict"]


def test_household_conflict_blocks_any_path() -> None:
    """Twins a and c are a household conflict; a record b that looks like both joins only one."""
    ms = {u: _m(u) for u in "abc"}
    edges = [Edge("a", "b", 14, 1), Edge("b", "c", 13, 1), Edge("a", "c", -30, 0, conflict=True)]
    r = cluster_records(ms, edges, upper_weight=UP, lower_weight=LOW)
    assert r.cluster_of["a"] == r.cluster_of["b"] != r.cluster_of["c"]
    assert r.review[0].reason == "household_conflict"


def test_decisions_win_over_scores() -> None:
    ms = {u: _m(u) for u in "abcd"}
    edges = [Edge("a", "b", 20, 1), Edge("c", "d", 2, 0.8)]
    r = cluster_records(
        ms, edges, upper_weight=UP, lower_weight=LOW, decisions={("b", "a"): "reject", ("c", "d"): "accept"}
    )
    assert r.cluster_of["a"] != r.cluster_of["b"]
    assert r.cluster_of["c"] == r.cluster_of["d"]
    assert r.review == []
    # a rejected pair is not joined through a third record either
    ms["e"] = _m("e")
    r2 = cluster_records(
        ms,
        [Edge("a", "e", 20, 1), Edge("e", "b", 19, 1), Edge("a", "b", 20, 1)],
        upper_weight=UP,
        lower_weight=LOW,
        decisions={("a", "b"): "reject"},
    )
    assert r2.cluster_of["a"] != r2.cluster_of["b"]


def test_one_review_item_per_pair_of_clusters() -> None:
    ms = {u: _m(u) for u in "abcd"}
    edges = [Edge("a", "b", 20, 1), Edge("c", "d", 20, 1), Edge("a", "c", 3, 0.9), Edge("b", "d", 2, 0.8)]
    r = cluster_records(ms, edges, upper_weight=UP, lower_weight=LOW)
    assert len(r.review) == 1
    assert (r.review[0].a, r.review[0].b) == ("a", "c")


def test_edges_to_unknown_records_are_ignored() -> None:
    r = cluster_records({"a": _m("a")}, [Edge("a", "zz", 30, 1)], upper_weight=UP, lower_weight=LOW)
    assert r.cluster_of == {"a": "a"}
