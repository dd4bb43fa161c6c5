"""Tests for matching.assign (exact b-matching, greedy baseline) and matching.online."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.assign import assign, candidates
from matching.online import Batch, OnlineAssigner, assign_online
from matching.sim import synthetic_instance


# --------------------------------------------------------------------------------------------------
# Brute force reference
# --------------------------------------------------------------------------------------------------
def brute_force(scores, feasible, k, cap, host_of=None, host_cap=None, lam=0.0):
    """Best objective over every subset of feasible pairs (tiny problems only)."""
    n, m = scores.shape
    pairs = [(i, j) for i in range(n) for j in range(m) if feasible[i, j]]
    assert len(pairs) <= 14, "brute force is exponential"
    best = 0.0
    for bits in itertools.product((0, 1), repeat=len(pairs)):
        chosen = [p for p, b in zip(pairs, bits, strict=True) if b]
        pc = np.bincount([i for i, _ in chosen], minlength=n)
        oc = np.bincount([j for _, j in chosen], minlength=m)
        if np.any(pc > k) or np.any(oc > cap):
            continue
        value = sum(scores[i, j] for i, j in chosen)
        if host_of is not None:
            hc = np.bincount([host_of[j] for _, j in chosen], minlength=max(host_of) + 1)
            if host_cap is not None and np.any(hc > host_cap):
                continue
            value -= lam * float(np.sum(hc * (hc - 1) / 2))
        best = max(best, value)
    return best


def check_valid(a, scores, feasible, k, cap):
    for i, j in a.pairs.tolist():
        assert feasible[i, j], f"infeasible pair ({i}, {j}) assigned"
        assert scores[i, j] > 0, f"non-positive pair ({i}, {j}) assigned"
    assert len({tuple(p) for p in a.pairs.tolist()}) == len(a), "a pair assigned twice"
    assert np.all(a.person_counts <= k)
    assert np.all(a.opening_counts <= cap)
    assert np.array_equal(a.person_counts, np.bincount(a.pairs[:, 0], minlength=scores.shape[0]))
    assert a.objective == pytest.approx(sum(scores[i, j] for i, j in a.pairs.tolist()) - a.penalty)


def tiny(rng, n=None, m=None):
    n = n or int(rng.integers(1, 5))
    m = m or int(rng.integers(1, 5))
    scores = np.round(rng.normal(0.5, 1.0, (n, m)), 3)
    feasible = rng.random((n, m)) < 0.7
    while feasible.sum() > 12:
        feasible[tuple(rng.integers(0, (n, m)))] = False
    k = rng.integers(0, 3, n)
    cap = rng.integers(0, 3, m)
    return scores, feasible, k, cap


# --------------------------------------------------------------------------------------------------
# Exact optimum
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(60))
def test_exact_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    scores, feasible, k, cap = tiny(rng)
    a = assign(scores, feasible, k, cap)
    assert a.objective == pytest.approx(brute_force(scores, feasible, k, cap), abs=1e-9)
    check_valid(a, scores, feasible, k, cap)
    assert a.gap is not None and -1e-7 <= a.gap <= 1e-6  # dual certificate proves optimality


@pytest.mark.parametrize("seed", range(30))
def test_host_capacity_equals_brute_force(seed):
    rng = np.random.default_rng(1000 + seed)
    scores, feasible, k, cap = tiny(rng, n=3, m=4)
    host_of = np.array([0, 0, 1, 1])
    host_cap = rng.integers(0, 3, 2)
    a = assign(scores, feasible, k, cap, host_of=host_of, host_capacity=host_cap)
    assert a.objective == pytest.approx(brute_force(scores, feasible, k, cap, host_of, host_cap), abs=1e-9)
    check_valid(a, scores, feasible, k, cap)
    assert np.all(a.host_counts <= host_cap)
    g = assign(scores, feasible, k, cap, host_of=host_of, host_capacity=host_cap, method="greedy")
    check_valid(g, scores, feasible, k, cap)
    assert np.all(g.host_counts <= host_cap)
    assert g.objective <= a.objective + 1e-9


@pytest.mark.parametrize("seed", range(30))
def test_host_penalty_equals_brute_force(seed):
    rng = np.random.default_rng(2000 + seed)
    scores, feasible, k, cap = tiny(rng, n=3, m=4)
    host_of = np.array([0, 0, 0, 1])
    lam = float(rng.choice([0.1, 0.5, 2.0]))
    a = assign(scores, feasible, k, cap, host_of=host_of, host_penalty=lam)
    assert a.objective == pytest.approx(brute_force(scores, feasible, k, cap, host_of, None, lam), abs=1e-9)
    check_valid(a, scores, feasible, k, cap)
    hc = a.host_counts
    assert a.penalty == pytest.approx(lam * float(np.sum(hc * (hc - 1) / 2)))


def test_penalty_spreads_people_across_hosts():
    # Two people, host 0 has two slightly better openings, host 1 one slightly worse.
    scores = np.array([[1.0, 0.0, 0.9], [0.0, 1.0, 0.9]])
    host_of = np.array(["farm", "farm", "cafe"])
    cap = [1, 1, 1]
    plain = assign(scores, None, 1, cap, host_of=host_of)
    assert plain.pairs.tolist() == [[0, 0], [1, 1]]  # both at the farm
    spread = assign(scores, None, 1, cap, host_of=host_of, host_penalty=0.5)
    assert sorted(spread.host_counts.tolist()) == [1, 1]
    assert spread.objective == pytest.approx(1.9)
    capped = assign(scores, None, 1, cap, host_of=host_of, host_capacity={"farm": 1})
    assert dict(zip(capped.host_labels.tolist(), capped.host_counts.tolist(), strict=True)) == {
        "cafe": 1,
        "farm": 1,
    }


def test_k_greater_than_one():
    scores = np.array([[0.9, 0.8, 0.7], [0.1, 0.2, 0.3]])
    a = assign(scores, None, [2, 1], [1, 1, 1])
    assert a.by_person() == {0: [0, 1], 1: [2]}
    assert a.person_counts.tolist() == [2, 1]
    assert a.objective == pytest.approx(0.9 + 0.8 + 0.3)


def test_infeasible_pairs_never_assigned():
    scores = np.array([[100.0, 1.0], [1.0, 100.0]])
    feasible = np.array([[False, True], [True, False]])
    a = assign(scores, feasible, 1, [1, 1])
    assert a.pairs.tolist() == [[0, 1], [1, 0]]
    # NaN is fine where the pair is infeasible.
    a2 = assign(np.where(feasible, scores, np.nan), feasible, 1, [1, 1])
    assert a2.objective == pytest.approx(2.0)


def test_zero_and_negative_scores_never_assigned():
    scores = np.array([[0.0, -1.0], [-0.5, 0.0]])
    for method in ("exact", "greedy"):
        a = assign(scores, None, 1, [5, 5], method=method)
        assert len(a) == 0 and a.objective == 0.0
    a = assign(np.array([[0.0, 0.2]]), None, 2, [1, 1])
    assert a.pairs.tolist() == [[0, 1]]


def test_greedy_is_suboptimal_on_crafted_instance():
    # Greedy grabs the 3.0 pair and strands person 1; the optimum gives up 1 point to gain 2.
    scores = np.array([[3.0, 2.0], [2.0, 0.0]])
    exact = assign(scores, None, 1, [1, 1])
    greedy = assign(scores, None, 1, [1, 1], method="greedy")
    assert exact.objective == pytest.approx(4.0)
    assert greedy.objective == pytest.approx(3.0)
    assert greedy.solver == "greedy" and greedy.upper_bound is None
    assert exact.upper_bound == pytest.approx(4.0)


def test_sparse_and_dense_inputs_agree():
    rng = np.random.default_rng(7)
    n, m = 40, 30
    dense = rng.normal(0.3, 1.0, (n, m))
    mask = rng.random((n, m)) < 0.3
    k = rng.integers(1, 3, n)
    cap = rng.integers(0, 3, m)
    ref = assign(dense, mask, k, cap)
    rows, cols = np.nonzero(mask)
    vals = dense[rows, cols]
    csr = sp.csr_array((vals, (rows, cols)), shape=(n, m))
    variants = [
        assign(csr, None, k, cap),
        assign(sp.coo_matrix(csr), None, k, cap),
        assign((rows, cols, vals), None, k, cap),
        assign(np.where(mask, dense, 0.0), sp.csr_array(mask), k, cap),
        assign(candidates((rows, cols, vals), shape=(n, m)), None, k, cap),
    ]
    for v in variants:
        assert v.objective == pytest.approx(ref.objective, abs=1e-9)
        assert v.n_candidates == int(mask.sum())
    # An explicit zero in sparse input is a candidate but never assigned; a missing entry is infeasible.
    explicit = assign(sp.csr_array(([0.0, 1.0], ([0, 0], [0, 1])), shape=(1, 2)), None, 2, [1, 1])
    assert explicit.pairs.tolist() == [[0, 1]] and explicit.n_candidates == 2


def test_coo_triple_uses_capacity_lengths_for_shape():
    a = assign(([0], [0], [1.0]), None, [1, 1, 1], [1, 1])
    assert a.person_counts.tolist() == [1, 0, 0]
    assert a.opening_counts.tolist() == [1, 0]


# --------------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"person_capacity": [1, 1, 1]}, "person_capacity: length 3"),
        ({"opening_capacity": [1]}, "opening_capacity: length 1"),
        ({"person_capacity": [1, -1]}, "person_capacity: capacities must be >= 0"),
        ({"opening_capacity": [1, -2]}, "opening_capacity: capacities must be >= 0"),
        ({"person_capacity": [1.5, 1]}, "person_capacity: capacities must be integers"),
        ({"feasible": np.ones((3, 2), bool)}, "feasible: shape"),
        ({"feasible": np.ones((2, 2))}, "feasible: expected a boolean mask"),
        ({"method": "fast"}, "method"),
        ({"host_capacity": 1}, "host_capacity: needs host_of"),
        ({"host_of": [0]}, "host_of: expected a 1-D array of length 2"),
        ({"host_of": [0, 1], "host_penalty": -1.0}, "host_penalty"),
        ({"host_of": [0, 3], "host_capacity": [1, 1]}, "host_capacity: length 2"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, match):
    args = {"person_capacity": 1, "opening_capacity": [1, 1], **kwargs}
    with pytest.raises(ValueError, match=match):
        assign(np.ones((2, 2)), **args)


def test_bad_scores_raise():
    with pytest.raises(ValueError, match="scores: NaN/inf score at feasible pair"):
        assign(np.array([[1.0, np.nan]]), None, 1, [1, 1])
    with pytest.raises(ValueError, match="scores: expected a 2-D array"):
        assign(np.ones(3), None, 1, 1)
    with pytest.raises(ValueError, match="scores: duplicate"):
        assign(([0, 0], [1, 1], [1.0, 2.0]), None, 1, [1, 1])
    with pytest.raises(ValueError, match="scores: an index is out of range"):
        assign(([0], [5], [1.0]), None, 1, [1, 1])


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 12),
    m=st.integers(1, 12),
    density=st.floats(0.1, 1.0),
)
def test_properties(seed, n, m, density):
    rng = np.random.default_rng(seed)
    scores = rng.normal(0.2, 1.0, (n, m))
    feasible = rng.random((n, m)) < density
    k = rng.integers(0, 3, n)
    cap = rng.integers(0, 3, m)
    exact = assign(scores, feasible, k, cap)
    greedy = assign(scores, feasible, k, cap, method="greedy")
    check_valid(exact, scores, feasible, k, cap)
    check_valid(greedy, scores, feasible, k, cap)
    assert greedy.objective <= exact.objective + 1e-9
    assert exact.objective <= exact.upper_bound + 1e-9
    assert exact.upper_bound - exact.objective <= 1e-6
    # Greedy is a 1/2-approximation for b-matching.
    assert greedy.objective >= 0.5 * exact.objective - 1e-9


# --------------------------------------------------------------------------------------------------
# Online
# --------------------------------------------------------------------------------------------------
def test_online_myopic_cannot_wait():
    weeks = [Batch(np.array([[1.0, 0.0]])), Batch(np.array([[5.0, 0.0]]))]
    r = assign_online(weeks, [1, 1], policy="myopic")
    assert r.objective == 1.0 and r.hindsight_objective == 5.0 and r.ratio == pytest.approx(0.2)
    assert r.pairs.tolist() == [[0, 0]]


def test_online_respects_cumulative_capacity_and_beats_baselines():
    inst = synthetic_instance(600, 500, candidates_per_person=20, seed=3)
    batches = inst.batches(6, seed=1)
    r = assign_online(batches, inst.opening_capacity, host_of=inst.host_of, host_capacity=6)
    opening_use = np.bincount(r.pairs[:, 1], minlength=500)
    assert np.all(opening_use <= inst.opening_capacity)
    assert np.all(np.bincount(inst.host_of[r.pairs[:, 1]]) <= 6)
    assert r.objective == pytest.approx(sum(w.objective for w in r.weeks))
    assert r.objective <= r.hindsight_objective + 1e-9
    assert r.greedy_objective <= r.hindsight_objective + 1e-9
    assert 0.8 < r.ratio <= 1.0
    assert r.ratio >= r.myopic_ratio >= r.greedy_ratio  # deterministic for this seed
    # Person ids are global (batches concatenated), in the weekly results too.
    everyone = sp.vstack([b.scores for b in batches]).tocsr()
    assert r.pairs.tolist() == [p for w in r.weeks for p in w.pairs.tolist()]
    assert np.all(everyone[r.pairs[:, 0], r.pairs[:, 1]] > 0)


def test_online_penalty_accumulates_across_weeks():
    host_of = np.array([0, 0])
    weeks = [Batch(np.array([[1.0, 0.0]])), Batch(np.array([[0.0, 1.0]]))]
    r = assign_online(weeks, [1, 1], host_of=host_of, host_penalty=0.4, policy="myopic")
    # Second placement at the same host costs 0.4 at the margin, as offline.
    offline = assign(np.array([[1.0, 0.0], [0.0, 1.0]]), None, 1, [1, 1], host_of=host_of, host_penalty=0.4)
    assert r.objective == pytest.approx(offline.objective) == pytest.approx(1.6)


def test_online_assigner_guards():
    oa = OnlineAssigner([1], n_weeks=1)
    oa.step(Batch(np.array([[1.0]])))
    with pytest.raises(RuntimeError, match="already processed"):
        oa.step(Batch(np.array([[1.0]])))
    with pytest.raises(ValueError, match="policy"):
        OnlineAssigner([1], n_weeks=1, policy="oracle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scores: batch has 2 openings"):
        OnlineAssigner([1], n_weeks=1).step(Batch(np.ones((1, 2))))
