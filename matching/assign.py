"""Capacity-limited assignment of people to participation placements (b-matching).

Many people × capacity-limited openings: person ``i`` takes at most ``k_i`` placements, opening ``j``
at most ``c_j`` people, and only *candidate* pairs (those passing every hard constraint: schedule,
travel, eligibility, consent) may be used. :func:`assign` maximises the total score and returns the
**exact** optimum.

Algorithm
---------
The problem is a transportation / b-matching problem, i.e. a min-cost flow::

    source --k_i--> person i --1--> opening j --c_j--> host h --m_h (or penalty slots)--> sink

Written as an LP over the candidate pairs ``x_ij ∈ [0, 1]`` (person rows ``Σ_j x_ij ≤ k_i``, opening
rows ``Σ_i x_ij ≤ c_j``, optional host rows ``Σ_{j∈h} x_ij ≤ m_h``), the constraint matrix is the
union of two laminar families (person side / opening ⊂ host side), hence totally unimodular: every
vertex is integral. We solve it with HiGHS (``scipy.optimize.linprog``, simplex, which returns a
vertex), round, *verify* integrality and feasibility, and fall back to ``scipy.optimize.milp`` should
the LP ever return a non-integral point. The LP duals give an optimality certificate: any
``y ≥ 0`` yields the upper bound ``b·y + Σ max(0, s - Aᵀy)``, reported as
:attr:`Assignment.upper_bound` (``gap`` is typically ~1e-9). HiGHS keeps float scores exact (no
integer scaling, unlike most min-cost-flow codes) and solves 5,000 × 5,000 with ~250k candidate
pairs in about 1-2 s.

Only pairs with a strictly positive score are ever assigned: nobody is forced into a placement.

Spreading people across hosts
-----------------------------
``host_of`` maps each opening to its host (the organisation running it). Two options, combinable:

* ``host_capacity`` — a hard cap: at most ``m_h`` placements per host (int for all hosts, array
  indexed by host id, or a mapping ``{host label: cap}``; hosts missing from a mapping are uncapped).
* ``host_penalty = λ ≥ 0`` — a concave (diminishing-returns) spread: every *pair* of placements
  sharing a host costs ``λ``, so a host with ``n`` placements pays ``λ·n(n-1)/2`` and the ``t``-th
  placement (0-based) at a host costs ``λ·t`` at the margin. Modelled as unit "slot" arcs of
  increasing cost from the host to the sink, so the problem stays a flow and stays exact.

Host counts count placements; with ``k = 1`` that is the number of people.

Greedy baseline
---------------
``method="greedy"`` sorts candidate pairs by score (descending; ties by person then opening) and
takes a pair while person, opening and host capacity allow (and, with a penalty, while the score
exceeds the current marginal penalty). It is a 1/2-approximation for k = 1, not the answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = [
    "Assignment",
    "Candidates",
    "HostTable",
    "as_int_vector",
    "assign",
    "assignment_from",
    "candidates",
    "host_table",
    "solve",
]

Method = Literal["exact", "greedy"]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_INTEGRALITY_TOL = 1e-6


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign`.

    Attributes
    ----------
    pairs : ndarray of shape (p, 2), int64
        Assigned ``(person, opening)`` pairs, sorted by person then opening.
    pair_scores : ndarray of shape (p,)
        Score of each assigned pair.
    total_score : float
        Sum of ``pair_scores``.
    penalty : float
        Host-spread penalty paid (0 without ``host_penalty``).
    objective : float
        ``total_score - penalty``, the maximised quantity.
    method : str
        ``"exact"`` or ``"greedy"``.
    solver : str
        What produced the answer (e.g. ``"highs-lp (scipy linprog)"``, ``"greedy"``).
    person_counts, opening_counts : ndarray
        Placements per person / per opening.
    host_counts : ndarray or None
        Placements per host (indexed like ``host_labels``), when ``host_of`` was given.
    host_labels : ndarray or None
        Host label for each entry of ``host_counts``.
    upper_bound : float or None
        Dual (LP) upper bound on the optimum, for ``method="exact"``; ``objective <= upper_bound``.
    n_candidates : int
        Candidate pairs after applying ``feasible`` (any score).
    seconds : float
        Wall time of the solve, validation included.
    """

    pairs: IntArray
    pair_scores: FloatArray
    total_score: float
    penalty: float
    objective: float
    method: str
    solver: str
    person_counts: IntArray
    opening_counts: IntArray
    host_counts: IntArray | None = None
    host_labels: NDArray[Any] | None = None
    upper_bound: float | None = None
    n_candidates: int = 0
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """``upper_bound - objective`` (a proof of optimality when ~0), or None for greedy."""
        return None if self.upper_bound is None else self.upper_bound - self.objective

    def __len__(self) -> int:
        return int(self.pairs.shape[0])

    def by_person(self) -> dict[int, list[int]]:
        """Openings assigned to each person that got at least one placement."""
        out: dict[int, list[int]] = {}
        for i, j in self.pairs.tolist():
            out.setdefault(i, []).append(j)
        return out


# --------------------------------------------------------------------------------------------------
# Input normalisation
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidates:
    """Candidate pairs in COO form: ``rows[p], cols[p], vals[p]`` over an ``n × m`` grid.

    Pairs absent from the list are infeasible. Built by :func:`candidates`; duplicates rejected.
    """

    rows: IntArray
    cols: IntArray
    vals: FloatArray
    n: int
    m: int

    def __len__(self) -> int:
        return int(self.rows.size)


def as_int_vector(value: ArrayLike, name: str, length: int | None) -> IntArray:
    """A capacity vector of ``length`` non-negative ints (a scalar is broadcast); ``ValueError`` naming ``name``."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        if length is None:
            raise ValueError(f"{name}: a scalar needs a known size; pass an array (or shape=)")
        arr = np.full(length, arr.item())
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected an int or a 1-D array, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name}: length {arr.shape[0]} does not match the {length} expected")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name}: capacities must be integers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: capacities must be finite")
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name}: capacities must be integers")
    out = arr.astype(np.int64)
    if out.size and out.min() < 0:
        bad = int(np.flatnonzero(out < 0)[0])
        raise ValueError(f"{name}: capacities must be >= 0 (entry {bad} is {out[bad]})")
    return out


def _size_of(value: ArrayLike) -> int | None:
    arr = np.asarray(value)
    return int(arr.shape[0]) if arr.ndim == 1 else None


def candidates(
    scores: ArrayLike | sp.spmatrix | sp.sparray | tuple[ArrayLike, ArrayLike, ArrayLike],
    feasible: ArrayLike | sp.spmatrix | sp.sparray | None = None,
    *,
    shape: tuple[int, int] | None = None,
) -> Candidates:
    """Normalise dense / sparse / COO-triple scores (and an optional feasibility mask) to candidates.

    Parameters
    ----------
    scores : array (n, m), scipy.sparse matrix/array, or tuple ``(rows, cols, vals)``
        Dense: every entry is a candidate unless ``feasible`` says otherwise. Sparse or triple: only
        the *stored* entries are candidates (an explicit 0 is a candidate that will never be taken;
        a missing entry is infeasible).
    feasible : bool array (n, m) or sparse, optional
        Hard-constraint mask; ``False`` removes the pair. NaN scores are allowed only where
        infeasible.
    shape : (n, m), optional
        Grid size for a COO triple (otherwise inferred from the largest indices).

    Returns
    -------
    Candidates

    Examples
    --------
    >>> c = candidates(([0, 1], [1, 0], [0.5, 0.2]), shape=(2, 3))
    >>> (c.n, c.m, len(c))
    (2, 3, 2)
    """
    if isinstance(scores, tuple):
        if len(scores) != 3:
            raise ValueError("scores: a COO triple must be (rows, cols, vals)")
        rows = np.asarray(scores[0])
        cols = np.asarray(scores[1])
        vals = np.asarray(scores[2], dtype=np.float64)
        if not (rows.ndim == cols.ndim == vals.ndim == 1 and rows.size == cols.size == vals.size):
            raise ValueError(
                f"scores: rows, cols, vals must be 1-D of equal length, got {rows.shape}, "
                f"{cols.shape}, {vals.shape}"
            )
        for nm, arr in (("rows", rows), ("cols", cols)):
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                raise ValueError(f"scores: {nm} must be integer indices, got dtype {arr.dtype}")
            if arr.size and arr.min() < 0:
                raise ValueError(f"scores: {nm} contains a negative index")
        rows = rows.astype(np.int64)
        cols = cols.astype(np.int64)
        if shape is None:
            shape = (int(rows.max()) + 1 if rows.size else 0, int(cols.max()) + 1 if cols.size else 0)
        n, m = int(shape[0]), int(shape[1])
        if rows.size and (rows.max() >= n or cols.max() >= m):
            raise ValueError(f"scores: an index is out of range for shape {(n, m)}")
    elif sp.issparse(scores):
        coo = sp.coo_array(scores)
        n, m = (int(s) for s in coo.shape)
        if shape is not None and tuple(shape) != (n, m):
            raise ValueError(f"shape {tuple(shape)} does not match scores.shape {(n, m)}")
        rows = np.asarray(coo.row, dtype=np.int64)
        cols = np.asarray(coo.col, dtype=np.int64)
        vals = np.asarray(coo.data, dtype=np.float64)
    else:
        dense = np.asarray(scores, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"scores: expected a 2-D array, got shape {dense.shape}")
        n, m = (int(s) for s in dense.shape)
        if shape is not None and tuple(shape) != (n, m):
            raise ValueError(f"shape {tuple(shape)} does not match scores.shape {(n, m)}")
        if feasible is None:
            mask = np.ones((n, m), dtype=bool)
        else:
            mask = _dense_mask(feasible, (n, m))
            feasible = None
        rows, cols = (a.astype(np.int64) for a in np.nonzero(mask))
        vals = dense[rows, cols]

    if feasible is not None:
        keep = _mask_at(feasible, (n, m), rows, cols)
        rows, cols, vals = rows[keep], cols[keep], vals[keep]

    if not np.all(np.isfinite(vals)):
        p = int(np.flatnonzero(~np.isfinite(vals))[0])
        raise ValueError(
            f"scores: NaN/inf score at feasible pair (person {rows[p]}, opening {cols[p]}); "
            "mark the pair infeasible instead"
        )
    if rows.size > 1:
        key = rows * max(m, 1) + cols
        if np.unique(key).size != key.size:
            raise ValueError("scores: duplicate (person, opening) pair in sparse input")
    return Candidates(rows, cols, vals, n, m)


def _dense_mask(feasible: Any, shape: tuple[int, int]) -> NDArray[np.bool_]:
    mask = feasible.toarray() if sp.issparse(feasible) else np.asarray(feasible)
    if mask.shape != shape:
        raise ValueError(f"feasible: shape {mask.shape} does not match scores shape {shape}")
    if mask.dtype != bool:
        raise ValueError(f"feasible: expected a boolean mask, got dtype {mask.dtype}")
    return mask


def _mask_at(feasible: Any, shape: tuple[int, int], rows: IntArray, cols: IntArray) -> NDArray[np.bool_]:
    if sp.issparse(feasible):
        if feasible.shape != shape:
            raise ValueError(f"feasible: shape {feasible.shape} does not match scores shape {shape}")
        csr = sp.csr_array(feasible)
        return np.asarray(csr[rows, cols]).ravel().astype(bool)
    return _dense_mask(feasible, shape)[rows, cols]


@dataclass(frozen=True)
class HostTable:
    """Openings grouped by host: each opening's host id, the host labels and the hosts' capacities."""

    index: IntArray  # opening -> host id (0..H-1)
    labels: NDArray[Any]
    capacity: IntArray | None  # per host id, or None (uncapped); uncapped entries = big


_UNCAPPED = np.iinfo(np.int64).max // 4


def host_table(
    host_of: ArrayLike | None, host_capacity: Any, host_penalty: float, m: int
) -> HostTable | None:
    """Validate ``host_of`` / ``host_capacity`` / ``host_penalty`` (as in :func:`assign`); ``None`` without hosts."""
    if host_of is None:
        if host_capacity is not None:
            raise ValueError("host_capacity: needs host_of (opening -> host)")
        if host_penalty:
            raise ValueError("host_penalty: needs host_of (opening -> host)")
        return None
    raw = np.asarray(host_of)
    if raw.ndim != 1 or raw.shape[0] != m:
        raise ValueError(
            f"host_of: expected a 1-D array of length {m} (one host per opening), got {raw.shape}"
        )
    if not np.isfinite(host_penalty) or host_penalty < 0:
        raise ValueError(f"host_penalty: must be a finite number >= 0, got {host_penalty}")
    integer_ids = np.issubdtype(raw.dtype, np.integer)
    if integer_ids and raw.size and raw.min() < 0:
        raise ValueError("host_of: host ids must be >= 0")
    labels, index = np.unique(raw, return_inverse=True)
    index = index.astype(np.int64).ravel()
    cap: IntArray | None = None
    if host_capacity is None:
        pass
    elif isinstance(host_capacity, Mapping):
        cap = np.full(labels.size, _UNCAPPED, dtype=np.int64)
        vals = as_int_vector(list(host_capacity.values()), "host_capacity", None)
        pos = {lab: h for h, lab in enumerate(labels.tolist())}
        for lab, v in zip(host_capacity.keys(), vals.tolist(), strict=True):
            if lab in pos:
                cap[pos[lab]] = v
    elif np.ndim(host_capacity) == 0:
        cap = as_int_vector(host_capacity, "host_capacity", labels.size)
    else:
        if not integer_ids:
            raise ValueError("host_capacity: an array needs integer host ids in host_of; use a mapping")
        full = as_int_vector(host_capacity, "host_capacity", None)
        if labels.size and labels.max() >= full.size:
            raise ValueError(f"host_capacity: length {full.size} but host_of uses host id {labels.max()}")
        cap = full[labels.astype(np.int64)]
    return HostTable(index, labels, cap)


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------
def assign(
    scores: ArrayLike | sp.spmatrix | sp.sparray | tuple[ArrayLike, ArrayLike, ArrayLike] | Candidates,
    feasible: ArrayLike | sp.spmatrix | sp.sparray | None = None,
    person_capacity: ArrayLike = 1,
    opening_capacity: ArrayLike = 1,
    *,
    host_of: ArrayLike | None = None,
    host_capacity: int | ArrayLike | Mapping[Any, int] | None = None,
    host_penalty: float = 0.0,
    method: Method = "exact",
    shape: tuple[int, int] | None = None,
) -> Assignment:
    """Assign people to capacity-limited openings, maximising the total score.

    Parameters
    ----------
    scores : array (n, m), scipy.sparse, ``(rows, cols, vals)`` triple, or :class:`Candidates`
        Pair scores. For sparse input only stored entries are candidates (see :func:`candidates`).
    feasible : bool array (n, m) or sparse, optional
        Hard-constraint mask; ``False`` pairs are never assigned.
    person_capacity : int or array (n,)
        ``k``: placements per person (at most).
    opening_capacity : int or array (m,)
        Places per opening (at most).
    host_of : array (m,), optional
        Host (organisation) of each opening; any labels.
    host_capacity : int, array indexed by integer host id, or mapping label -> int, optional
        Hard cap on placements per host.
    host_penalty : float, default 0
        ``λ``: concave spread penalty, ``λ`` per pair of placements sharing a host.
    method : {"exact", "greedy"}
        ``"exact"``: LP/min-cost-flow optimum (HiGHS), verified integral, with a dual bound.
        ``"greedy"``: highest score first while capacity allows (baseline).
    shape : (n, m), optional
        Grid size for a COO triple whose last people/openings have no candidates.

    Returns
    -------
    Assignment

    Raises
    ------
    ValueError
        On shape mismatches, negative or non-integer capacities, NaN/inf feasible scores,
        duplicate sparse pairs, or an unknown method; the message names the argument.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[3.0, 2.0], [2.0, 0.0]])
    >>> a = assign(s, person_capacity=1, opening_capacity=[1, 1])
    >>> a.pairs.tolist(), a.objective
    ([[0, 1], [1, 0]], 4.0)
    >>> assign(s, method="greedy").objective  # takes (0, 0) first and strands person 1
    3.0
    """
    t0 = time.perf_counter()
    if method not in ("exact", "greedy"):
        raise ValueError(f"method: expected 'exact' or 'greedy', got {method!r}")
    if isinstance(scores, Candidates):
        if feasible is not None:
            raise ValueError("feasible: already applied when the Candidates were built")
        cand = scores
    else:
        if shape is None and isinstance(scores, tuple):
            shape = (_size_of(person_capacity) or -1, _size_of(opening_capacity) or -1)
            if shape[1] < 0:
                raise ValueError("opening_capacity: with a COO triple pass an array (or shape=)")
            if shape[0] < 0:
                rows0 = np.asarray(scores[0])
                shape = (int(rows0.max()) + 1 if rows0.size else 0, shape[1])
        cand = candidates(scores, feasible, shape=shape)
    k = as_int_vector(person_capacity, "person_capacity", cand.n)
    cap = as_int_vector(opening_capacity, "opening_capacity", cand.m)
    hosts = host_table(host_of, host_capacity, float(host_penalty), cand.m)
    result = solve(cand, k, cap, hosts, float(host_penalty), None, method)
    return _finish(result, t0)


def _finish(a: Assignment, t0: float) -> Assignment:
    object.__setattr__(a, "seconds", time.perf_counter() - t0)
    return a


# --------------------------------------------------------------------------------------------------
# Core (also used by matching.online.assigner with an initial host load)
# --------------------------------------------------------------------------------------------------
def solve(
    cand: Candidates,
    k: IntArray,
    cap: IntArray,
    hosts: HostTable | None,
    lam: float,
    host_load: IntArray | None,
    method: str,
) -> Assignment:
    """Solve over validated inputs. ``host_load`` = placements already at each host (online mode)."""
    n_hosts = 0 if hosts is None else int(hosts.labels.size)
    load0 = np.zeros(n_hosts, dtype=np.int64) if host_load is None else host_load
    host_idx = None if hosts is None else hosts.index
    host_cap = None if hosts is None or hosts.capacity is None else hosts.capacity

    # Usable pairs: positive score, capacity on every side.
    ok = (cand.vals > 0) & (k[cand.rows] > 0) & (cap[cand.cols] > 0)
    if host_idx is not None and host_cap is not None:
        ok &= host_cap[host_idx[cand.cols]] > 0
    if host_idx is not None and lam > 0:
        ok &= cand.vals > lam * load0[host_idx[cand.cols]]  # even the next slot is not worth it
    r, c, w = cand.rows[ok], cand.cols[ok], cand.vals[ok]

    upper: float | None = None
    info: dict[str, Any] = {"usable_pairs": int(r.size)}
    if r.size == 0:
        take = np.zeros(0, dtype=bool)
        solver = "trivial (no usable pair)"
        upper = 0.0 if method == "exact" else None
    elif method == "greedy":
        take = _greedy(r, c, w, k, cap, host_idx, host_cap, lam, load0)
        solver = "greedy"
    else:
        take, upper, solver = _exact(r, c, w, k, cap, host_idx, host_cap, lam, load0, n_hosts)

    return assignment_from(
        r[take], c[take], w[take], cand, k, cap, hosts, lam, load0, method, solver, upper, info
    )


def assignment_from(
    pr: IntArray,
    pc: IntArray,
    pw: FloatArray,
    cand: Candidates,
    k: IntArray,
    cap: IntArray,
    hosts: HostTable | None,
    lam: float,
    load0: IntArray,
    method: str,
    solver: str,
    upper: float | None,
    info: dict[str, Any],
) -> Assignment:
    """Package chosen pairs, recomputing counts and penalty and re-checking every capacity."""
    n, m = cand.n, cand.m
    order = np.lexsort((pc, pr))
    pr, pc, pw = pr[order], pc[order], pw[order]
    person_counts = np.bincount(pr, minlength=n).astype(np.int64)
    opening_counts = np.bincount(pc, minlength=m).astype(np.int64)
    host_counts = None
    penalty = 0.0
    if hosts is not None:
        host_counts = np.bincount(hosts.index[pc], minlength=hosts.labels.size).astype(np.int64)
        if lam > 0:
            # Σ_h λ Σ_{t=load0}^{load0+n_h-1} t
            a, b = load0, load0 + host_counts
            penalty = float(lam * np.sum((b * (b - 1) - a * (a - 1)) // 2))
    # Hard guarantees, checked on every answer.
    if np.any(person_counts > k) or np.any(opening_counts > cap):
        raise RuntimeError("assign: internal error, a capacity is exceeded")
    if (
        host_counts is not None
        and hosts is not None
        and hosts.capacity is not None
        and np.any(host_counts > hosts.capacity)
    ):
        raise RuntimeError("assign: internal error, a host capacity is exceeded")
    total = float(np.sum(pw))
    return Assignment(
        pairs=np.column_stack([pr, pc]).astype(np.int64).reshape(-1, 2),
        pair_scores=pw.astype(np.float64),
        total_score=total,
        penalty=penalty,
        objective=total - penalty,
        method=method,
        solver=solver,
        person_counts=person_counts,
        opening_counts=opening_counts,
        host_counts=host_counts,
        host_labels=None if hosts is None else hosts.labels,
        upper_bound=upper,
        n_candidates=len(cand),
        info=info,
    )


def _greedy(
    r: IntArray,
    c: IntArray,
    w: FloatArray,
    k: IntArray,
    cap: IntArray,
    host_idx: IntArray | None,
    host_cap: IntArray | None,
    lam: float,
    load0: IntArray,
) -> NDArray[np.bool_]:
    order = np.lexsort((c, r, -w))  # score desc, then person, then opening
    k_left = k.copy()
    cap_left = cap.copy()
    take = np.zeros(r.size, dtype=bool)
    if host_idx is None:
        for p, i, j in zip(order.tolist(), r[order].tolist(), c[order].tolist(), strict=True):
            if k_left[i] > 0 and cap_left[j] > 0:
                k_left[i] -= 1
                cap_left[j] -= 1
                take[p] = True
        return take
    h_of = host_idx[c]
    h_left = host_cap.copy() if host_cap is not None else np.full(load0.size, _UNCAPPED, dtype=np.int64)
    load = load0.copy()
    for p, i, j, h, s in zip(
        order.tolist(),
        r[order].tolist(),
        c[order].tolist(),
        h_of[order].tolist(),
        w[order].tolist(),
        strict=True,
    ):
        if k_left[i] > 0 and cap_left[j] > 0 and h_left[h] > 0 and s > lam * load[h]:
            k_left[i] -= 1
            cap_left[j] -= 1
            h_left[h] -= 1
            load[h] += 1
            take[p] = True
    return take


def _exact(
    r: IntArray,
    c: IntArray,
    w: FloatArray,
    k: IntArray,
    cap: IntArray,
    host_idx: IntArray | None,
    host_cap: IntArray | None,
    lam: float,
    load0: IntArray,
    n_hosts: int,
) -> tuple[NDArray[np.bool_], float, str]:
    p = r.size
    # Compact row indices: only people / openings that appear (smaller LP, same optimum).
    people, r_idx = np.unique(r, return_inverse=True)
    opens, c_idx = np.unique(c, return_inverse=True)
    cols = np.arange(p)
    blocks_ub = [
        sp.csr_array((np.ones(p), (r_idx.ravel(), cols)), shape=(people.size, p)),
        sp.csr_array((np.ones(p), (c_idx.ravel(), cols)), shape=(opens.size, p)),
    ]
    b_ub = [np.minimum(k[people], 2**31), np.minimum(cap[opens], 2**31)]
    cost = -w  # linprog minimises
    a_eq = None
    b_eq = None
    n_slot = 0
    if host_idx is not None:
        h = host_idx[c]
        hosts_used, h_idx = np.unique(h, return_inverse=True)
        h_idx = h_idx.ravel()
        if lam > 0:
            # Slots t = 0..T_h-1 for each host with marginal cost λ·(load0 + t); Σ x_h = Σ y_h.
            pairs_in = np.bincount(h_idx, minlength=hosts_used.size)
            open_h = np.searchsorted(hosts_used, host_idx[opens])
            cap_in = np.bincount(open_h, weights=cap[opens], minlength=hosts_used.size)
            max_w = np.zeros(hosts_used.size)
            np.maximum.at(max_w, h_idx, w)
            useful = np.ceil(max_w / lam - load0[hosts_used]).astype(np.int64)  # slots worth > 0
            t_h = np.minimum(pairs_in, cap_in.astype(np.int64))
            t_h = np.minimum(t_h, np.maximum(useful, 0))
            if host_cap is not None:
                t_h = np.minimum(t_h, host_cap[hosts_used])
            n_slot = int(t_h.sum())
            slot_host = np.repeat(np.arange(hosts_used.size), t_h)
            slot_t = np.arange(n_slot) - np.repeat(np.cumsum(t_h) - t_h, t_h)
            slot_cost = lam * (load0[hosts_used][slot_host] + slot_t)
            x_part = sp.csr_array((np.ones(p), (h_idx, cols)), shape=(hosts_used.size, p))
            y_part = sp.csr_array(
                (-np.ones(n_slot), (slot_host, np.arange(n_slot))), shape=(hosts_used.size, n_slot)
            )
            a_eq = sp.hstack([x_part, y_part], format="csr")
            b_eq = np.zeros(hosts_used.size)
            cost = np.concatenate([cost, slot_cost])
        elif host_cap is not None:
            capped = host_cap[hosts_used] < _UNCAPPED
            blocks_ub.append(
                sp.csr_array((np.ones(p), (h_idx, cols)), shape=(hosts_used.size, p))[np.flatnonzero(capped)]
            )
            b_ub.append(host_cap[hosts_used][capped])
    a_ub = sp.vstack(blocks_ub, format="csr")
    if n_slot:
        a_ub = sp.hstack([a_ub, sp.csr_array((a_ub.shape[0], n_slot))], format="csr")
    b_ub_arr = np.concatenate(b_ub).astype(np.float64)

    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub_arr,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"assign: HiGHS LP failed: {res.message}")
    x = np.asarray(res.x)
    solver = "highs-lp (scipy linprog; TU => integral vertex, verified)"
    if np.max(np.abs(x - np.round(x)), initial=0.0) > _INTEGRALITY_TOL:
        # Should not happen for a TU matrix; be safe and make HiGHS enforce integrality.
        mres = milp(
            cost,
            constraints=[LinearConstraint(a_ub, -np.inf, b_ub_arr)]
            + ([LinearConstraint(a_eq, b_eq, b_eq)] if a_eq is not None else []),
            integrality=np.ones(cost.size),
            bounds=Bounds(0, 1),
        )
        if mres.status != 0 or mres.x is None:
            raise RuntimeError(f"assign: HiGHS MILP failed: {mres.message}")
        x = np.asarray(mres.x)
        solver = "highs-milp (scipy milp; LP vertex was fractional)"
    # Dual certificate: for y_ub >= 0 and any y_eq, max c·x <= b·y + Σ max(0, c - Aᵀy) on [0,1]^n.
    gain = -cost
    y_ub = np.maximum(0.0, -np.asarray(res.ineqlin.marginals))
    reduced = gain - a_ub.T @ y_ub
    bound = float(b_ub_arr @ y_ub)
    if a_eq is not None:
        y_eq = -np.asarray(res.eqlin.marginals)
        reduced = reduced - a_eq.T @ y_eq
    bound += float(np.sum(np.maximum(0.0, reduced)))
    take = np.round(x[:p]).astype(bool)
    return take, bound, solver
