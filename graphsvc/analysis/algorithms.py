"""The graph algorithms the path analyses need, as small functions over integer arrays: a graph in, node ids out.

A graph is ``n`` nodes numbered ``0 … n-1`` and arcs given as two integer arrays ``src`` and ``dst`` (an arc
``src[i] → dst[i]``). Every function here takes that and returns numpy arrays or lists of node numbers, so another
engine can answer the same question (Neo4j Graph Data Science: ``gds.wcc``, ``gds.bfs``, ``gds.bridges``,
``gds.articulationPoints``) by implementing :class:`NetworkAlgorithms` and being passed as ``algorithms=`` to
:func:`graphsvc.analysis.reachability.reachability` and :func:`graphsvc.analysis.agency_network.agency_network`.

==============================  ===================================================  ==========================
function                        question                                             engine here
==============================  ===================================================  ==========================
:func:`weak_components`         which nodes hang together, arcs taken both ways        ``scipy.sparse.csgraph``
:func:`nearest_source`          fewest arcs from any source to each node, with a        ``scipy.sparse.csgraph``
                                chosen predecessor (fewest weak, then unknown arcs)    + numpy, level by level
:func:`bridges`                 edges whose loss splits an undirected graph            iterative DFS (Tarjan)
:func:`articulation_points`     nodes whose loss splits an undirected graph            iterative DFS (Tarjan)
==============================  ===================================================  ==========================

The town-sized questions (components and reachability over a million households) run in C through
``scipy.sparse.csgraph``; the bridges of the agency network (hundreds of agencies) run in Python, linear time.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

__all__ = [
    "LOCAL",
    "LocalAlgorithms",
    "NetworkAlgorithms",
    "articulation_points",
    "bridges",
    "clear_cache",
    "nearest_source",
    "weak_components",
]

_INT = np.int64


def _arrays(src: object, dst: object) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(src, dtype=_INT).ravel()
    d = np.asarray(dst, dtype=_INT).ravel()
    if s.shape != d.shape:
        raise ValueError("src and dst must have the same length")
    return s, d


def _check(n: int, s: np.ndarray, d: np.ndarray) -> None:
    if n < 0:
        raise ValueError("n must be >= 0")
    if len(s) and (min(int(s.min()), int(d.min())) < 0 or max(int(s.max()), int(d.max())) >= n):
        raise ValueError("an arc names a node outside 0 … n-1")


_LAYOUTS: list[tuple[np.ndarray, np.ndarray, int, tuple[np.ndarray, np.ndarray]]] = []
"""The CSR layout (indptr, indices) of the last few arc arrays seen (kept with the arrays themselves, so an id
is never mistaken): reachability asks four questions of the same arcs."""


def clear_cache() -> None:
    """Forget the cached CSR layouts (the benchmark times a cold start)."""
    _LAYOUTS.clear()


def _layout(n: int, s: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the arcs in CSR form, rows ``0 … n-1``."""
    for cs, cd, cn, lay in _LAYOUTS:
        if cs is s and cd is d and cn == n:
            return lay
    if len(s) and bool(np.all(s[1:] >= s[:-1])):  # sorted by source, as a TieGraph keeps its arcs
        indices = d.astype(np.int32)
        counts = np.bincount(s, minlength=n)
    else:
        order = np.argsort(s, kind="stable")
        indices = d[order].astype(np.int32)
        counts = np.bincount(s, minlength=n) if len(s) else np.zeros(n, dtype=_INT)
    indptr = np.zeros(n + 1, dtype=np.int32 if len(s) < 2**31 else np.int64)
    np.cumsum(counts, out=indptr[1:])
    lay = (indptr, indices)
    _LAYOUTS.append((s, d, n, lay))
    del _LAYOUTS[:-2]
    return lay


def _csr(n: int, s: np.ndarray, d: np.ndarray, extra: np.ndarray | None = None) -> sp.csr_matrix:
    """The arcs as a boolean CSR matrix, with an optional extra row ``n`` whose arcs go to ``extra`` (the
    super-source of a multi-source search)."""
    indptr, indices = _layout(n, s, d)
    if extra is None:
        return sp.csr_matrix((np.ones(len(indices), dtype=bool), indices, indptr), shape=(n, n))
    ind = np.concatenate([indices, extra.astype(np.int32)])
    ptr = np.concatenate([indptr, np.asarray([len(ind)], dtype=indptr.dtype)])
    return sp.csr_matrix((np.ones(len(ind), dtype=bool), ind, ptr), shape=(n + 1, n + 1))


def weak_components(n: int, src: object, dst: object) -> np.ndarray:
    """The component of every node when arcs are taken both ways: labels ``0 … c-1`` numbered by first node.

    Examples
    --------
    >>> weak_components(5, [0, 3], [1, 2]).tolist()
    [0, 0, 1, 1, 2]
    """
    s, d = _arrays(src, dst)
    _check(n, s, d)
    if n == 0:
        return np.zeros(0, dtype=_INT)
    _, labels = csgraph.connected_components(_csr(n, s, d), directed=True, connection="weak")
    # renumber by first appearance so the labels do not depend on the engine
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=_INT)
    rank[order] = np.arange(len(order))
    return rank[labels]


def nearest_source(
    n: int,
    src: object,
    dst: object,
    sources: object,
    *,
    cost: object | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fewest arcs from any of ``sources`` to every node, following arcs forward; among the shortest chains the
    one of least total ``cost`` (then the smallest predecessor number).

    Parameters
    ----------
    n : int
        Number of nodes.
    src, dst : array-like of int
        The arcs ``src[i] → dst[i]``.
    sources : array-like of int
        Where chains start (distance 0).
    cost : array-like of int, optional
        A non-negative cost per arc, used only to choose among chains of the same length (for the analyses: a
        weak tie costs more than one of unknown strength, which costs more than a strong one).

    Returns
    -------
    hops : ndarray of int
        Arcs from the nearest source (-1 where no chain reaches).
    pred : ndarray of int
        The node before each node on its chosen chain (-1 at a source and where unreached).
    arc : ndarray of int
        The arc (index into ``src``/``dst``) that reaches each node on its chosen chain (-1 likewise).

    Examples
    --------
    >>> hops, pred, arc = nearest_source(5, [0, 1, 2, 0, 3], [1, 2, 3, 3, 4], [0])
    >>> hops.tolist(), pred.tolist()
    ([0, 1, 2, 1, 2], [-1, 0, 1, 0, 3])
    >>> nearest_source(4, [0, 0, 1, 2], [1, 2, 3, 3], [0], cost=[0, 0, 5, 1])[1].tolist()
    [-1, 0, 0, 2]
    """
    s, d = _arrays(src, dst)
    _check(n, s, d)
    srcs = np.unique(np.asarray(sources, dtype=_INT).ravel())
    if len(srcs) and (srcs.min() < 0 or srcs.max() >= n):
        raise ValueError("a source names a node outside 0 … n-1")
    hops = np.full(n, -1, dtype=_INT)
    pred = np.full(n, -1, dtype=_INT)
    arc_of = np.full(n, -1, dtype=_INT)
    if n == 0 or len(srcs) == 0:
        return hops, pred, arc_of
    c = np.zeros(len(s), dtype=_INT) if cost is None else np.asarray(cost, dtype=_INT).ravel()
    if c.shape != s.shape or (len(c) and c.min() < 0):
        raise ValueError("cost must be one non-negative integer per arc")
    # hop distances in C: breadth-first from a super-source joined to every source; the queue order is sorted
    # by level, and the position of each node's predecessor in it never decreases, so the levels are cut out
    # with a binary search each
    order, bfs_pred = csgraph.breadth_first_order(
        _csr(n, s, d, extra=srcs), n, directed=True, return_predecessors=True
    )
    order = order[1:].astype(_INT)
    pos = np.full(n + 1, -1, dtype=_INT)
    pos[order] = np.arange(len(order))
    pp = pos[bfs_pred[order]]  # -1 for the sources (their predecessor is the super-source)
    lo, hi, level = 0, int(np.searchsorted(pp, 0, side="left")), 0
    while lo < hi:
        hops[order[lo:hi]] = level
        lo, hi, level = hi, int(np.searchsorted(pp, hi, side="left")), level + 1
    # the chosen predecessor: over tight arcs (hops[v] = hops[u] + 1), least accumulated cost, then smallest u;
    # level by level (a node's cost is known before its successors are chosen)
    hs, hd = hops[s], hops[d]
    tight = np.flatnonzero((hs >= 0) & (hd == hs + 1))
    if len(tight) == 0:
        return hops, pred, arc_of
    lv = hd[tight]
    # levels are small: a stable sort of 16-bit keys is a radix sort in numpy
    by_level = tight[np.argsort(lv.astype(np.int16) if level < 2**15 else lv, kind="stable")]
    levels = hd[by_level]
    acc = np.zeros(n, dtype=_INT)
    best = np.full(n, np.iinfo(_INT).max, dtype=_INT)
    starts = np.flatnonzero(np.r_[True, levels[1:] != levels[:-1]])
    ends = np.r_[starts[1:], len(by_level)]
    # one integer key (cost, then predecessor) when it cannot overflow, else a sort per level
    fits = (int(c.max()) * int(levels[-1]) + 1) * (n + 1) + n < 2**62
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        arcs = by_level[a:b]
        u, v = s[arcs], d[arcs]
        total = acc[u] + c[arcs]
        if fits:
            key = total * (n + 1) + u
            np.minimum.at(best, v, key)
            won = arcs[key == best[v]]
        else:
            pick = np.lexsort((arcs, u, total, v))
            first = np.r_[True, v[pick][1:] != v[pick][:-1]]
            won = arcs[pick[first]]
        tv = d[won]
        pred[tv] = s[won]
        arc_of[tv] = won
        acc[tv] = acc[s[won]] + c[won]
    return hops, pred, arc_of


def _undirected_adjacency(n: int, s: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of an undirected simple graph: (indptr, neighbour, edge id) with self-loops and repeats dropped."""
    keep = s != d
    a, b = np.minimum(s[keep], d[keep]), np.maximum(s[keep], d[keep])
    pairs = np.unique(np.column_stack([a, b]), axis=0) if len(a) else np.zeros((0, 2), dtype=_INT)
    eid = np.arange(len(pairs), dtype=_INT)
    u = np.concatenate([pairs[:, 0], pairs[:, 1]])
    v = np.concatenate([pairs[:, 1], pairs[:, 0]])
    e = np.concatenate([eid, eid])
    order = np.lexsort((v, u))
    u, v, e = u[order], v[order], e[order]
    indptr = np.zeros(n + 1, dtype=_INT)
    np.add.at(indptr, u + 1, 1)
    return np.cumsum(indptr), v, e


def _lowpoints(n: int, src: object, dst: object) -> tuple[list[tuple[int, int]], list[int]]:
    """One iterative depth-first search (Tarjan): the bridges and the articulation points of an undirected
    graph (arcs taken both ways, self-loops and repeats ignored)."""
    s, d = _arrays(src, dst)
    _check(n, s, d)
    indptr, nbr, eid = _undirected_adjacency(n, s, d)
    ip, nb, ed = indptr.tolist(), nbr.tolist(), eid.tolist()
    disc = [-1] * n
    low = [0] * n
    out_bridges: list[tuple[int, int]] = []
    cut = [False] * n
    t = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        disc[root] = low[root] = t
        t += 1
        children = 0
        # stack of (node, edge id it was entered by, next neighbour position)
        stack: list[list[int]] = [[root, -1, ip[root]]]
        while stack:
            top = stack[-1]
            u, via, pos = top
            if pos < ip[u + 1]:
                top[2] = pos + 1
                w, e = nb[pos], ed[pos]
                if e == via:
                    continue
                if disc[w] < 0:
                    disc[w] = low[w] = t
                    t += 1
                    if u == root:
                        children += 1
                    stack.append([w, e, ip[w]])
                elif disc[w] < low[u]:
                    low[u] = disc[w]
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                if low[u] < low[parent]:
                    low[parent] = low[u]
                if low[u] > disc[parent]:
                    out_bridges.append((min(parent, u), max(parent, u)))
                if parent != root and low[u] >= disc[parent]:
                    cut[parent] = True
        if children > 1:
            cut[root] = True
    out_bridges.sort()
    return out_bridges, [i for i in range(n) if cut[i]]


def bridges(n: int, src: object, dst: object) -> list[tuple[int, int]]:
    """The bridges of an undirected graph (arcs taken both ways): edges whose removal leaves more components,
    each as ``(smaller node, larger node)``, sorted.

    Examples
    --------
    >>> bridges(6, [0, 1, 2, 2, 3, 4], [1, 2, 0, 3, 4, 5])  # a triangle with a tail
    [(2, 3), (3, 4), (4, 5)]
    """
    return _lowpoints(n, src, dst)[0]


def articulation_points(n: int, src: object, dst: object) -> list[int]:
    """The articulation points of an undirected graph (arcs taken both ways): nodes whose removal leaves more
    components, sorted.

    Examples
    --------
    >>> articulation_points(5, [0, 1, 2, 3], [1, 2, 3, 4])  # a path
    [1, 2, 3]
    >>> articulation_points(4, [0, 0, 0], [1, 2, 3])  # a star
    [0]
    """
    return _lowpoints(n, src, dst)[1]


class NetworkAlgorithms(Protocol):
    """What the path analyses ask of a graph engine (the default is :data:`LOCAL`; a Neo4j GDS adapter can
    answer the same four questions where the data is)."""

    def weak_components(self, n: int, src: object, dst: object) -> np.ndarray: ...

    def nearest_source(
        self, n: int, src: object, dst: object, sources: object, *, cost: object | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def bridges(self, n: int, src: object, dst: object) -> list[tuple[int, int]]: ...

    def articulation_points(self, n: int, src: object, dst: object) -> list[int]: ...


class LocalAlgorithms:
    """The engine of this module (scipy in C for town-sized graphs, linear-time Python for bridges)."""

    name = "scipy.sparse.csgraph"

    def weak_components(self, n: int, src: object, dst: object) -> np.ndarray:
        return weak_components(n, src, dst)

    def nearest_source(
        self, n: int, src: object, dst: object, sources: object, *, cost: object | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return nearest_source(n, src, dst, sources, cost=cost)

    def bridges(self, n: int, src: object, dst: object) -> list[tuple[int, int]]:
        return bridges(n, src, dst)

    def articulation_points(self, n: int, src: object, dst: object) -> list[int]:
        return articulation_points(n, src, dst)


LOCAL = LocalAlgorithms()
"""The default engine."""
